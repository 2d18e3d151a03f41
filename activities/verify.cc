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

// With a connect origin (the emulator) Chromium cannot send another Host header: it loads
// http://<host>.localhost:<port><path>, mapped to the connect origin, which serves the site for
// that name. The plain host would not do: *.vercel.app is HSTS-preloaded, so Chromium refuses it
// over http. Returns the URL and the resolver map ("" without a connect origin).
std::pair<std::string, std::string> LighthouseTarget(const SiteUrl& start,
                                                     const std::optional<SiteUrl>& connect) {
  if (!connect) return {start.ToString(), ""};
  size_t colon = connect->authority.rfind(':');
  std::string port = colon == std::string::npos || connect->authority.back() == ']'
                         ? ""
                         : connect->authority.substr(colon);
  return {"http://" + start.Host() + ".localhost" + port + start.path,
          start.Host() + ".localhost " + connect->authority};
}

// passed and reason, from what the checks found (the first failure names the reason).
void Judge(bool page_ok, bool allow_truncated, VerifyResult* r) {
  const bool crawl_ok = !r->crawl_truncated || allow_truncated;
  r->passed = page_ok && r->broken_links.empty() && crawl_ok && r->lighthouse.passed;
  if (!page_ok) {
    r->reason = "the page answered HTTP " + std::to_string(r->status);
  } else if (!r->broken_links.empty()) {
    r->reason = std::to_string(r->broken_links.size()) + " broken link(s)";
  } else if (!crawl_ok) {
    r->reason = "the crawl was truncated (" + r->truncated_by +
                " budget ran out): not every page was checked";
  } else if (!r->lighthouse.passed) {
    r->reason = r->lighthouse.reason;
  }
}

}  // namespace

// One crawl of one site: the queue, what was seen, the budgets. Lives for one Run().
class Verifier::Crawl {
 public:
  Crawl(Verifier& v, SiteUrl start, std::optional<SiteUrl> connect)
      : v_(v),
        o_(v.options_),
        start_(std::move(start)),
        connect_(std::move(connect)),
        deadline_ms_(v.clock_.NowMs() + o_.crawl_budget_ms) {}

  Result<HttpResponse> Fetch(const SiteUrl& u, int64_t max_bytes) {
    HttpRequest req;
    req.url = (connect_ ? connect_->Origin() : u.Origin()) + u.path;
    req.timeout_ms = o_.request_timeout_ms;
    req.max_body_bytes = max_bytes;
    req.headers.Add("User-Agent", o_.user_agent);
    req.headers.Add("Accept", "text/html,*/*;q=0.8");
    if (connect_) req.headers.Add("Host", u.authority);
    Result<HttpResponse> resp = v_.http_.Send(req);
    if (resp.ok()) bytes_ += static_cast<int64_t>(resp->body.size());
    return resp;
  }

  // The first page, following same-origin redirects; fills status, ms and pages_checked.
  Result<HttpResponse> First(SiteUrl* at, VerifyResult* r) {
    TimeMs begin = v_.clock_.NowMs();
    Result<HttpResponse> resp = Fetch(*at, o_.max_page_bytes);
    for (int hops = 0; resp.ok() && IsRedirect(resp->status) && hops < kMaxRedirects; ++hops) {
      std::optional<SiteUrl> next = ResolveHref(*at, resp->headers.Get("Location").value_or(""));
      if (!next || next->Origin() != start_.Origin()) break;
      *at = *next;
      resp = Fetch(*at, o_.max_page_bytes);
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
      if (v_.clock_.NowMs() > deadline_ms_) return Truncate(r, "time");
      if (bytes_ > o_.max_total_bytes) return Truncate(r, "bytes");
      Queued q = std::move(queue_.front());
      queue_.pop_front();
      const bool page = q.kind == PageRef::Kind::kLink;
      Result<HttpResponse> resp = Fetch(q.url, page ? o_.max_page_bytes : o_.max_asset_bytes);
      ++(page ? r->pages_checked : r->assets_checked);
      const char* kind = page ? "link" : "asset";
      if (!resp.ok()) {
        r->broken_links.push_back({q.from, q.url.ToString(), 0, resp.status().message(), kind});
      } else if (resp->status >= 400) {
        r->broken_links.push_back({q.from, q.url.ToString(), resp->status, "", kind});
      } else if (page) {
        Enqueue(q.url, *resp, r);
      }
    }
    CheckExternal(r);
  }

 private:
  struct Queued {
    SiteUrl url;
    std::string from;
    PageRef::Kind kind;
  };

  void Truncate(VerifyResult* r, const char* by) {
    if (!r->crawl_truncated) r->truncated_by = by;
    r->crawl_truncated = true;
  }

  // The references of a page (or the target of a redirect), within the crawl's limits. A fake
  // HttpClient may ignore max_body_bytes, so the body is cut here too.
  std::vector<PageRef> Refs(const HttpResponse& resp, VerifyResult* r) {
    HrefLimits limits{o_.max_links_per_page, o_.max_href_bytes};
    if (IsRedirect(resp.status)) {
      std::string location = resp.headers.Get("Location").value_or("");
      if (location.size() <= limits.max_href_bytes) return {{PageRef::Kind::kLink, location}};
      ++r->links_skipped;
      return {};
    }
    if (resp.status >= 300 || !IsHtml(resp)) return {};
    size_t cap = static_cast<size_t>(std::max<int64_t>(0, o_.max_page_bytes));
    ExtractedRefs found = resp.body.size() > cap
                              ? ExtractPageRefs(resp.body.substr(0, cap), limits)
                              : ExtractPageRefs(resp.body, limits);
    r->links_skipped += static_cast<int>(found.too_long);
    if (found.truncated) Truncate(r, "links per page");
    return std::move(found.refs);
  }

  // Queues the same-origin references of a page not seen before; notes the external ones.
  void Enqueue(const SiteUrl& page, const HttpResponse& resp, VerifyResult* r) {
    for (PageRef& ref : Refs(resp, r)) {
      std::optional<SiteUrl> u = ResolveHref(page, ref.url);
      if (!u) continue;
      std::string key = u->ToString();
      if (u->Origin() != start_.Origin()) {
        NoteExternal(*u, page.ToString(), r);
        continue;
      }
      if (seen_.count(key) != 0) continue;
      // Never queue more than the budgets can fetch: the queue stays small whatever the pages
      // hold.
      const bool is_page = ref.kind == PageRef::Kind::kLink;
      size_t& queued = is_page ? pages_queued_ : assets_queued_;
      size_t budget = is_page ? o_.max_pages : o_.max_assets;
      if (queued + 1 >= budget + (is_page ? 0 : 1)) {
        Truncate(r, is_page ? "pages" : "assets");
        continue;
      }
      ++queued;
      seen_.insert(std::move(key));
      queue_.push_back({std::move(*u), page.ToString(), ref.kind});
    }
  }

  void NoteExternal(const SiteUrl& u, const std::string& from, VerifyResult* r) {
    std::string key = u.ToString();
    if (external_seen_.count(key) != 0) return;
    external_seen_.insert(key);
    if (!o_.check_external_links || external_.size() >= o_.max_external_links) {
      ++r->external_skipped;
      return;
    }
    external_.push_back({u, from, PageRef::Kind::kLink});
  }

  // External links: resolved, checked public, fetched pinned to the checked address. A
  // redirect is an answer (never followed: its target was not checked).
  void CheckExternal(VerifyResult* r) {
    for (const Queued& q : external_) {
      if (v_.clock_.NowMs() > deadline_ms_) return Truncate(r, "time");
      Result<std::string> addr = ResolvePublic(v_.resolver_, q.url.Host());
      if (!addr.ok()) {
        r->broken_links.push_back({q.from, q.url.ToString(), 0, addr.status().message(), "external"});
        continue;
      }
      HttpRequest req;
      req.url = q.url.ToString();
      req.timeout_ms = o_.request_timeout_ms;
      req.max_body_bytes = o_.max_asset_bytes;
      req.connect_address = *addr;
      req.headers.Add("User-Agent", o_.user_agent);
      Result<HttpResponse> resp = v_.http_.Send(req);
      ++r->external_checked;
      if (!resp.ok()) {
        r->broken_links.push_back({q.from, req.url, 0, resp.status().message(), "external"});
      } else if (resp->status >= 400) {
        r->broken_links.push_back({q.from, req.url, resp->status, "", "external"});
      }
    }
  }

  Verifier& v_;
  const VerifyOptions& o_;
  const SiteUrl start_;
  const std::optional<SiteUrl> connect_;
  const TimeMs deadline_ms_;
  int64_t bytes_ = 0;
  size_t pages_queued_ = 0;  // the first page included (it is in seen_ from First())
  size_t assets_queued_ = 0;
  std::set<std::string> seen_;
  std::set<std::string> external_seen_;
  std::deque<Queued> queue_;
  std::vector<Queued> external_;
};

Verifier::Verifier(HttpClient& http, Clock& clock, build::ProcessRunner& runner,
                   VerifyOptions options, HostResolver* resolver)
    : http_(http),
      clock_(clock),
      resolver_(resolver != nullptr ? *resolver : system_resolver_),
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
  auto [lighthouse_url, host_map] = LighthouseTarget(*start, connect);
  LighthouseThresholds thresholds = lighthouse_.options().thresholds;
  for (const auto& [category, minimum] : request.lighthouse_thresholds) {
    thresholds[category] = minimum;
  }
  if (page_ok) {
    r.lighthouse = lighthouse_.Run(lighthouse_url, host_map, &thresholds);
  } else {
    r.lighthouse.skipped = true;
    r.lighthouse.passed = true;
    r.lighthouse.reason = "the page did not load";
  }
  Judge(page_ok, options_.allow_truncated_crawl, &r);
  return r;
}

nlohmann::json ToJson(const VerifyResult& r) {
  nlohmann::json broken = nlohmann::json::array();
  for (const BrokenLink& b : r.broken_links) {
    broken.push_back({{"from", b.from},
                      {"href", b.href},
                      {"status", b.status},
                      {"error", b.error},
                      {"kind", b.kind}});
  }
  return {{"url", r.url},
          {"status", r.status},
          {"ms", r.ms},
          {"pages_checked", r.pages_checked},
          {"assets_checked", r.assets_checked},
          {"external_checked", r.external_checked},
          {"external_skipped", r.external_skipped},
          {"crawl_truncated", r.crawl_truncated},
          {"truncated_by", r.truncated_by},
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
  if (j.contains("lighthouse_thresholds")) {
    Result<LighthouseThresholds> t =
        LighthouseThresholdsFromJson(j["lighthouse_thresholds"], "lighthouse_thresholds");
    if (!t.ok()) return t.status();
    r.lighthouse_thresholds = *t;
  }
  return r;
}

}  // namespace slipway::activities
