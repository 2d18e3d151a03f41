#include "activities/verify.h"

#include <algorithm>
#include <deque>
#include <optional>
#include <set>

#include "activities/site_url.h"

namespace slipway::activities {

namespace {

constexpr int kMaxRedirects = 5;

bool IsHtml(const HttpResponse& r) {
  std::string type = r.headers.Get("Content-Type").value_or("");
  return type.find("html") != std::string::npos;
}

bool IsRedirect(int status) { return status >= 301 && status <= 308 && status != 304; }

}  // namespace

// One crawl of one site: the queue, what was seen, the budgets. Lives for one Run().
class Verifier::Crawl {
 public:
  Crawl(Verifier& v, SiteUrl start, std::optional<SiteUrl> connect)
      : v_(v),
        start_(std::move(start)),
        connect_(std::move(connect)),
        deadline_ms_(v.clock_.NowMs() + v.options_.crawl_budget_ms) {}

  Result<HttpResponse> Fetch(const SiteUrl& u) {
    HttpRequest req;
    req.url = (connect_ ? connect_->Origin() : u.Origin()) + u.path;
    req.timeout_ms = v_.options_.request_timeout_ms;
    req.max_body_bytes = v_.options_.max_page_bytes;
    req.headers.Add("User-Agent", v_.options_.user_agent);
    req.headers.Add("Accept", "text/html,*/*;q=0.8");
    if (connect_) req.headers.Add("Host", u.authority);
    return v_.http_.Send(req);
  }

  // The first page, following same-origin redirects; fills status, ms and pages_checked.
  Result<HttpResponse> First(SiteUrl* at, VerifyResult* r) {
    TimeMs begin = v_.clock_.NowMs();
    Result<HttpResponse> resp = Fetch(*at);
    for (int hops = 0; resp.ok() && IsRedirect(resp->status) && hops < kMaxRedirects; ++hops) {
      std::optional<SiteUrl> next = ResolveHref(*at, resp->headers.Get("Location").value_or(""));
      if (!next || next->Origin() != start_.Origin()) break;
      *at = *next;
      resp = Fetch(*at);
    }
    r->ms = v_.clock_.NowMs() - begin;
    if (resp.ok()) r->status = resp->status;
    r->pages_checked = 1;
    seen_.insert(at->ToString());
    return resp;
  }

  void Run(const SiteUrl& first, const HttpResponse& first_resp, VerifyResult* r) {
    Enqueue(first, first_resp, r);
    while (!queue_.empty()) {
      if (static_cast<size_t>(r->pages_checked) >= v_.options_.max_pages ||
          v_.clock_.NowMs() > deadline_ms_) {
        r->crawl_truncated = true;
        return;
      }
      auto [url, from] = queue_.front();
      queue_.pop_front();
      Result<HttpResponse> resp = Fetch(url);
      ++r->pages_checked;
      if (!resp.ok()) {
        r->broken_links.push_back({from, url.ToString(), 0, resp.status().message()});
      } else if (resp->status >= 400) {
        r->broken_links.push_back({from, url.ToString(), resp->status, ""});
      } else {
        Enqueue(url, *resp, r);
      }
    }
  }

 private:
  // The links of a page, within the crawl's limits. A fake HttpClient may ignore
  // max_body_bytes, so the body is cut here too.
  std::vector<std::string> Links(const HttpResponse& resp, VerifyResult* r) const {
    std::vector<std::string> hrefs;
    HrefLimits limits{v_.options_.max_links_per_page, v_.options_.max_href_bytes};
    if (IsRedirect(resp.status)) {
      std::string location = resp.headers.Get("Location").value_or("");
      if (location.size() <= limits.max_href_bytes) {
        hrefs.push_back(location);
      } else {
        ++r->links_skipped;
      }
    }
    if (resp.status < 300 && IsHtml(resp)) {
      size_t cap = static_cast<size_t>(std::max<int64_t>(0, v_.options_.max_page_bytes));
      ExtractedHrefs found = resp.body.size() > cap
                                 ? ExtractHrefs(resp.body.substr(0, cap), limits)
                                 : ExtractHrefs(resp.body, limits);
      hrefs = std::move(found.hrefs);
      r->links_skipped += static_cast<int>(found.too_long);
      if (found.truncated) r->crawl_truncated = true;
    }
    return hrefs;
  }

  // Queues the same-origin links of a page (or the target of a redirect) not seen before.
  void Enqueue(const SiteUrl& page, const HttpResponse& resp, VerifyResult* r) {
    for (const std::string& href : Links(resp, r)) {
      std::optional<SiteUrl> u = ResolveHref(page, href);
      if (!u || u->Origin() != start_.Origin()) continue;
      std::string key = u->ToString();
      if (seen_.count(key) != 0) continue;
      // Never queue more than the page budget can fetch: the queue stays small whatever the
      // pages hold.
      if (queue_.size() + static_cast<size_t>(r->pages_checked) >= v_.options_.max_pages) {
        r->crawl_truncated = true;
        continue;
      }
      seen_.insert(std::move(key));
      queue_.push_back({*u, page.ToString()});
    }
  }

  Verifier& v_;
  const SiteUrl start_;
  const std::optional<SiteUrl> connect_;
  const TimeMs deadline_ms_;
  std::set<std::string> seen_;
  std::deque<std::pair<SiteUrl, std::string>> queue_;
};

Verifier::Verifier(HttpClient& http, Clock& clock, build::ProcessRunner& runner,
                   VerifyOptions options)
    : http_(http),
      clock_(clock),
      lighthouse_(runner, options.lighthouse),
      options_(std::move(options)) {}

Result<VerifyResult> Verifier::Run(const VerifyRequest& request) {
  std::optional<SiteUrl> start = ParseSiteUrl(request.url);
  if (!start) return InvalidArgument("url", "not an absolute http(s) URL");
  std::optional<SiteUrl> connect;
  if (!request.connect_origin.empty()) {
    connect = ParseSiteUrl(request.connect_origin);
    if (!connect) return InvalidArgument("connect_origin", "not an http(s) origin");
  }
  VerifyResult r;
  r.url = start->ToString();
  Crawl crawl(*this, *start, connect);
  SiteUrl at = *start;
  Result<HttpResponse> first = crawl.First(&at, &r);
  if (!first.ok()) return first.status();
  bool page_ok = r.status >= 200 && r.status < 400;
  if (page_ok) crawl.Run(at, *first, &r);
  std::string host_map = connect ? start->Host() + " " + connect->authority : "";
  r.lighthouse = page_ok ? lighthouse_.Run(start->ToString(), host_map)
                         : LighthouseOutcome{true, "the page did not load", -1, true};
  r.passed = page_ok && r.broken_links.empty() && r.lighthouse.passed;
  if (!page_ok) {
    r.reason = "the page answered HTTP " + std::to_string(r.status);
  } else if (!r.broken_links.empty()) {
    r.reason = std::to_string(r.broken_links.size()) + " broken link(s)";
  } else if (!r.lighthouse.passed) {
    r.reason = "Lighthouse performance " + std::to_string(r.lighthouse.score) + " is below " +
               std::to_string(options_.lighthouse.threshold);
  }
  return r;
}

nlohmann::json ToJson(const VerifyResult& r) {
  nlohmann::json broken = nlohmann::json::array();
  for (const BrokenLink& b : r.broken_links) {
    broken.push_back(
        {{"from", b.from}, {"href", b.href}, {"status", b.status}, {"error", b.error}});
  }
  return {{"url", r.url},
          {"status", r.status},
          {"ms", r.ms},
          {"pages_checked", r.pages_checked},
          {"crawl_truncated", r.crawl_truncated},
          {"links_skipped", r.links_skipped},
          {"broken_links", broken},
          {"lighthouse", ToJson(r.lighthouse)},
          {"passed", r.passed},
          {"reason", r.reason}};
}

Result<VerifyRequest> VerifyRequestFromJson(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("url") || !j["url"].is_string()) {
    return InvalidArgument("url", "verify request needs a string url");
  }
  VerifyRequest r;
  r.url = j["url"].get<std::string>();
  if (j.contains("connect_origin") && j["connect_origin"].is_string()) {
    r.connect_origin = j["connect_origin"].get<std::string>();
  }
  return r;
}

}  // namespace slipway::activities
