// activities/verify.h: checks a deployed site before it is promoted: an HTTP check of its URL,
// a same-origin crawl of its pages and their assets, optionally its external links, and
// Lighthouse's category scores with a real headless Chromium.
//
// Verifier::Run(request):
//   1. GET url (following up to 5 same-site redirects): status and time. No answer at all is an
//      error (kUnavailable / kDeadlineExceeded: retry, the site may still be propagating); any
//      HTTP status is a result (passed=false unless 2xx).
//   2. Breadth-first crawl from url on the url's origin: every page linked (<a href>, <area>,
//      non-stylesheet <link>) is fetched once and scanned; every asset (<img src/srcset>,
//      <script src>, stylesheet <link href>, <source src/srcset>, <video poster>) is fetched
//      once, not scanned. One answering >= 400, or not at all, is a broken link {from, href,
//      status, kind}. Pages are untrusted: bounded in pages (max_pages), assets (max_assets),
//      bytes read per page and in all (max_page_bytes, max_total_bytes), references per page
//      and time (crawl_budget_ms). A budget that runs out truncates the crawl (crawl_truncated,
//      truncated_by), and a truncated crawl FAILS verify unless allow_truncated_crawl.
//   3. With check_external_links, links and assets on other origins (at most
//      max_external_links) are fetched once, pinned to an address that was resolved and found
//      public (address_guard.h): a link to a private, loopback or link-local address is a
//      broken link with the refusal as its error. Off by default: they are counted only.
//   4. Lighthouse (lighthouse.h) on url; thresholds: the options' overridden per category by
//      the request's. A missing Chromium/CLI or a crashed run fails verify (allow_skip: skips).
//   passed = 2xx && no broken links && crawl complete (or allowed) && Lighthouse passed.
// A failed check is a result, not an error: the workflow decides.
// Read-only: safe to repeat; the idempotency key is not needed.
// Thread-safe if the HttpClient, ProcessRunner and HostResolver are; all references must outlive
// the Verifier.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "activities/address_guard.h"
#include "activities/build/process_runner.h"
#include "activities/http_client.h"
#include "activities/lighthouse.h"
#include "engine/base/clock.h"
#include "engine/base/status.h"

namespace slipway::activities {

struct VerifyRequest {
  std::string url;  // e.g. "https://tenant-foo.vercel.app/"
  // Optional "http://127.0.0.1:8930": send every request there with the url's Host header
  // (curl --connect-to; the emulator serves sites by Host). Empty: connect to the url's host.
  // Lighthouse then loads http://<host>.localhost:<port><path> mapped there (the emulator
  // serves <host>.localhost as <host>; *.vercel.app is HSTS-preloaded, https only in Chromium).
  std::string connect_origin;
  // Per-category Lighthouse thresholds over the options' own (a tenant's settings); a category
  // set to 0 is recorded only.
  LighthouseThresholds lighthouse_thresholds;
};

struct BrokenLink {
  std::string from;  // the page that links to it
  std::string href;  // resolved absolute URL
  int status = 0;    // 0: no answer or refused (error says why)
  std::string error;
  std::string kind = "link";  // "link", "asset" or "external"
};

struct VerifyResult {
  std::string url;
  int status = 0;
  int64_t ms = 0;                // time to the first page's full answer
  int pages_checked = 0;         // URLs fetched by the crawl (the first page included)
  int assets_checked = 0;        // same-origin assets fetched
  int external_checked = 0;      // external links fetched (check_external_links)
  int external_skipped = 0;      // external links not fetched (off, or past the budget)
  bool crawl_truncated = false;  // a budget ran out before the crawl ended
  std::string truncated_by;      // which: "pages", "assets", "bytes", "time", "links per page"
  int links_skipped = 0;         // links longer than max_href_bytes (not fetched)
  std::vector<BrokenLink> broken_links;
  LighthouseOutcome lighthouse;
  bool passed = false;
  std::string reason;  // why it did not pass (empty when passed)
};

struct VerifyOptions {
  size_t max_pages = 50;
  size_t max_assets = 300;
  int64_t max_page_bytes = 2 * 1024 * 1024;
  int64_t max_asset_bytes = 64 * 1024;  // read of each asset (only its status matters)
  int64_t max_total_bytes = 32 * 1024 * 1024;
  bool allow_truncated_crawl = false;  // true: a truncated crawl passes (still reported)
  bool check_external_links = false;
  size_t max_external_links = 50;
  size_t max_links_per_page = 1000;
  size_t max_href_bytes = 8 * 1024;
  int64_t crawl_budget_ms = 30'000;
  int64_t request_timeout_ms = 10'000;
  std::string user_agent = "slipway-verify";
  LighthouseOptions lighthouse;
};

// Persisted in history: stable keys.
nlohmann::json ToJson(const VerifyResult& r);
// Errors: kInvalidArgument naming the bad field.
Result<VerifyRequest> VerifyRequestFromJson(const nlohmann::json& j);

class Verifier {
 public:
  // resolver: for external links; nullptr: getaddrinfo.
  Verifier(HttpClient& http, Clock& clock, build::ProcessRunner& runner,
           VerifyOptions options = {}, HostResolver* resolver = nullptr);
  // Errors: kInvalidArgument (url, connect_origin), kUnavailable / kDeadlineExceeded when the
  // first page does not answer at all.
  Result<VerifyResult> Run(const VerifyRequest& request);

 private:
  class Crawl;
  HttpClient& http_;
  Clock& clock_;
  SystemResolver system_resolver_;
  HostResolver& resolver_;
  Lighthouse lighthouse_;
  const VerifyOptions options_;
};

}  // namespace slipway::activities
