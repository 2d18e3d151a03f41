// activities/verify.h: checks a deployed site: an HTTP check of its URL, a same-origin
// broken-link crawl, and Lighthouse's performance score when Lighthouse can run.
//
// Verifier::Run(request):
//   1. GET url (following up to 5 same-site redirects): status and time. No answer at all is an
//      error (kUnavailable / kDeadlineExceeded: retry, the site may still be propagating); any
//      HTTP status is a result (passed=false unless 2xx).
//   2. Breadth-first crawl from url: every same-origin link of every HTML page is fetched once
//      (at most max_pages fetches, within crawl_budget_ms); a link answering >= 400, or not at
//      all, is a broken link {from, href, status}. Links to other origins are not followed.
//      Pages are untrusted: at most max_page_bytes of each is read (the rest is dropped, the
//      page is not broken for it), at most max_links_per_page links of a page are followed
//      (more: crawl_truncated), and a link longer than max_href_bytes is not fetched but
//      counted in links_skipped.
//   3. Lighthouse (lighthouse.h): skipped, with the reason, when Chromium or the lighthouse npm
//      package is absent; otherwise the performance score must reach lighthouse_threshold.
//   passed = 2xx && no broken links && (Lighthouse skipped || score >= threshold).
// A failed check is a result, not an error: the workflow decides (rollback).
// Read-only: safe to repeat; the idempotency key is not needed.
// Thread-safe if the HttpClient and ProcessRunner are; all references must outlive the Verifier.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

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
  std::string connect_origin;
};

struct BrokenLink {
  std::string from;  // the page that links to it
  std::string href;  // resolved absolute URL
  int status = 0;    // 0: no answer (error says why)
  std::string error;
};

struct VerifyResult {
  std::string url;
  int status = 0;
  int64_t ms = 0;                // time to the first page's full answer
  int pages_checked = 0;         // URLs fetched by the crawl (the first page included)
  bool crawl_truncated = false;  // the page, link or time budget ran out before the crawl ended
  int links_skipped = 0;         // links longer than max_href_bytes (not fetched)
  std::vector<BrokenLink> broken_links;
  LighthouseOutcome lighthouse;
  bool passed = false;
  std::string reason;  // why it did not pass (empty when passed)
};

struct VerifyOptions {
  size_t max_pages = 50;
  int64_t max_page_bytes = 2 * 1024 * 1024;
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
  Verifier(HttpClient& http, Clock& clock, build::ProcessRunner& runner,
           VerifyOptions options = {});
  // Errors: kInvalidArgument (url, connect_origin), kUnavailable / kDeadlineExceeded when the
  // first page does not answer at all.
  Result<VerifyResult> Run(const VerifyRequest& request);

 private:
  class Crawl;
  HttpClient& http_;
  Clock& clock_;
  Lighthouse lighthouse_;
  const VerifyOptions options_;
};

}  // namespace slipway::activities
