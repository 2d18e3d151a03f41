// Untrusted pages: the crawler's href scanner against the std::regex it replaced, 10 MB pages,
// and a crawl of hostile pages through a scripted HttpClient.
#include "activities/site_url.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <regex>  // test only: the reference the scanner must agree with

#include "activities/build/fake_process_runner.h"
#include "activities/verify.h"

namespace slipway::activities {
namespace {

const size_t kTenMb = 10 * 1024 * 1024;

std::vector<std::string> RegexHrefs(const std::string& html) {
  static const std::regex href(R"re(\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'))re", std::regex::icase);
  std::vector<std::string> out;
  for (std::sregex_iterator it(html.begin(), html.end(), href), end; it != end; ++it) {
    std::string v = (*it)[1].matched ? (*it)[1].str() : (*it)[2].str();
    for (size_t p = v.find("&amp;"); p != std::string::npos; p = v.find("&amp;", p + 1)) {
      v.replace(p, 5, "&");
    }
    out.push_back(v);
  }
  return out;
}

TEST(SiteUrlScanTest, HrefsMatchTheRegexTheyReplaced) {
  const std::vector<std::string> pieces = {"href", "HREF", "hReF", "xhref", "_href", "-href", "=",
                                           " ", "\n", "\t", "\"", "'", "<a ", ">", "/p", "&amp;",
                                           "&", "amp;", "a", "#x", "\xc3\xa9", "\xff"};
  std::mt19937 rng(20261204);
  std::uniform_int_distribution<size_t> pick(0, pieces.size() - 1), count(0, 30);
  for (int round = 0; round < 4000; ++round) {
    std::string html;
    for (size_t n = count(rng); n > 0; --n) html += pieces[pick(rng)];
    ASSERT_EQ(ExtractHrefs(html), RegexHrefs(html)) << "page: " << html;
  }
}

TEST(SiteUrlScanTest, ExtractsFromTenMegabytePages) {
  std::string long_href = "<a href=\"/" + std::string(kTenMb, 'a') + "\">x</a><a href='/ok'>";
  std::vector<std::string> all = ExtractHrefs(long_href);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].size(), kTenMb + 1);
  ExtractedHrefs bounded = ExtractHrefs(long_href, HrefLimits{100, 8192});
  EXPECT_EQ(bounded.hrefs, std::vector<std::string>{"/ok"});
  EXPECT_EQ(bounded.too_long, 1u);

  std::string fragments;  // "<a href=" over and over, never a value
  while (fragments.size() < kTenMb) fragments += "<a href=";
  EXPECT_TRUE(ExtractHrefs(fragments).empty());
  std::string open_quotes;  // every value opened, none closed but by the next one
  while (open_quotes.size() < kTenMb) open_quotes += "<a href=\"x ";
  EXPECT_EQ(ExtractHrefs(open_quotes, HrefLimits{1000, 8192}).hrefs.size(), 1000u);
  std::string unclosed = "<a href='" + std::string(kTenMb, ' ') + "<a href=";
  EXPECT_TRUE(ExtractHrefs(unclosed).empty());
  std::string spaces = "href" + std::string(kTenMb, ' ') + "x";
  EXPECT_TRUE(ExtractHrefs(spaces).empty());
  std::string amps = "href=\"";
  while (amps.size() < kTenMb) amps += "&amp;";
  amps += "\"";
  EXPECT_EQ(ExtractHrefs(amps).at(0), std::string((kTenMb - 6 + 4) / 5, '&'));
}

TEST(SiteUrlScanTest, ResolvesAndParsesTenMegabyteUrls) {
  SiteUrl base = *ParseSiteUrl("https://site.test/a/b");
  std::string dots;
  while (dots.size() < kTenMb) dots += "../x/./";
  std::optional<SiteUrl> u = ResolveHref(base, dots);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->Origin(), "https://site.test");
  std::string scheme(kTenMb, 'a');  // a scheme-looking run with no ':' at its end
  EXPECT_TRUE(ResolveHref(base, scheme));
  EXPECT_FALSE(ResolveHref(base, scheme + ":x"));
  EXPECT_FALSE(ParseSiteUrl(std::string(kTenMb, '/')));
  EXPECT_TRUE(ParseSiteUrl("http://h/" + std::string(kTenMb, '?')));
}

// Serves scripted pages by path; counts the requests.
TEST(PageRefsTest, FindsLinksAndAssetsByTag) {
  std::string page = R"(<!doctype html><html><head>
<link rel="stylesheet" href="/a.css"><link REL='preload stylesheet' href=/b.css>
<link rel="canonical" href="/canon"><link rel="stylesheets" href="/not-a-sheet">
<script src="/app.js?v=1&amp;x=2"></script><script>var s = "<img src='/in-js.png'>";</script>
</head><body><!-- <img src="/commented.png"> -->
<a href="/about">About</a><area href="/map"><IMG SRC="/logo.png" srcset="/l1.png 1x, /l2.png 2x">
<picture><source srcset="/s.webp 480w,/t.webp 800w" type="image/webp"><source src="/v.mp4"></picture>
<video poster="/poster.jpg"></video><div src="/div-src-ignored" href="/div-href-ignored"></div>
</body></html>)";
  ExtractedRefs found = ExtractPageRefs(page);
  std::vector<std::string> links, assets;
  for (const PageRef& r : found.refs) {
    (r.kind == PageRef::Kind::kLink ? links : assets).push_back(r.url);
  }
  EXPECT_EQ(links, (std::vector<std::string>{"/canon", "/not-a-sheet", "/about", "/map"}));
  EXPECT_EQ(assets, (std::vector<std::string>{"/a.css", "/b.css", "/app.js?v=1&x=2",
                                              "/in-js.png", "/logo.png", "/l1.png", "/l2.png",
                                              "/s.webp", "/t.webp", "/v.mp4", "/poster.jpg"}));
  EXPECT_FALSE(found.truncated);
}

TEST(PageRefsTest, LimitsApplyToEveryReference) {
  std::string page = "<img src=\"/" + std::string(100, 'x') + "\">";
  for (int i = 0; i < 10; ++i) page += "<script src=\"/s" + std::to_string(i) + ".js\"></script>";
  ExtractedRefs found = ExtractPageRefs(page, HrefLimits{4, 50});
  EXPECT_EQ(found.too_long, 1u);
  EXPECT_EQ(found.refs.size(), 4u);
  EXPECT_TRUE(found.truncated);
  // Unterminated tags and quotes end the scan, linearly.
  EXPECT_TRUE(ExtractPageRefs("<img src=\"" + std::string(kTenMb, 'a')).refs.size() <= 1);
  EXPECT_TRUE(ExtractPageRefs(std::string(kTenMb, '<')).refs.empty());
}

TEST(SrcsetTest, ParsesCandidatesAsTheStandardDoes) {
  EXPECT_EQ(ParseSrcset("a.png"), (std::vector<std::string>{"a.png"}));
  EXPECT_EQ(ParseSrcset(" a.png 1x,  b.png 2x "), (std::vector<std::string>{"a.png", "b.png"}));
  EXPECT_EQ(ParseSrcset("a.png 480w, b.png 800w"), (std::vector<std::string>{"a.png", "b.png"}));
  EXPECT_EQ(ParseSrcset("a.png,b.png"), (std::vector<std::string>{"a.png,b.png"}));  // one URL
  EXPECT_EQ(ParseSrcset("/img?w=1,2 1x"), (std::vector<std::string>{"/img?w=1,2"}));
  EXPECT_EQ(ParseSrcset("a.png (max-width: 1px, 2px) 1x, b.png"),
            (std::vector<std::string>{"a.png", "b.png"}));
  EXPECT_TRUE(ParseSrcset(" , ,").empty());
  EXPECT_TRUE(ParseSrcset("").empty());
}

class ScriptedHttp : public HttpClient {
 public:
  std::map<std::string, std::string> pages;  // path -> HTML body (200)
  std::vector<HttpRequest> sent;
  Result<HttpResponse> Send(const HttpRequest& request) override {
    sent.push_back(request);
    std::string path = request.url.substr(request.url.find('/', 8));
    HttpResponse r;
    auto it = pages.find(path);
    r.status = it == pages.end() ? 404 : 200;
    r.headers.Add("Content-Type", "text/html");
    if (it != pages.end()) r.body = it->second;
    return r;
  }
};

TEST(CrawlLimitsTest, HostilePagesAreCrawledWithinBounds) {
  ScriptedHttp http;
  std::string page = "<a href=\"/" + std::string(60 * 1024, 'A') + "\">long</a><a href=\"/ok\">";
  for (int i = 0; i < 5000; ++i) page += "<a href=\"/p" + std::to_string(i) + "\">";
  http.pages["/"] = page;
  http.pages["/ok"] = "<a href=\"/\">home</a>";
  SystemClock clock;
  build::FakeProcessRunner runner;
  VerifyOptions o;
  o.lighthouse.enabled = false;
  o.max_pages = 20;
  o.max_links_per_page = 100;
  Verifier v(http, clock, runner, o);
  Result<VerifyResult> r = v.Run({"http://site.test/", ""});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->links_skipped, 1);  // the 60 KB href was not fetched
  EXPECT_TRUE(r->crawl_truncated);
  EXPECT_EQ(r->pages_checked, 20);
  for (const HttpRequest& req : http.sent) {
    EXPECT_LT(req.url.size(), 1000u);
    EXPECT_EQ(req.max_body_bytes, o.max_page_bytes);
  }
  EXPECT_EQ(ToJson(*r)["links_skipped"], 1);
}

TEST(CrawlLimitsTest, OnlyTheFirstMaxPageBytesAreScanned) {
  ScriptedHttp http;  // ignores max_body_bytes, as a fake may: the crawler cuts too
  http.pages["/"] = "<a href=\"/a\">" + std::string(kTenMb, ' ') + "<a href=\"/b\">";
  SystemClock clock;
  build::FakeProcessRunner runner;
  VerifyOptions o;
  o.lighthouse.enabled = false;
  o.max_page_bytes = 1024 * 1024;
  Verifier v(http, clock, runner, o);
  Result<VerifyResult> r = v.Run({"http://site.test/", ""});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->broken_links.size(), 1u);  // /a only; /b lies past the first MiB
  EXPECT_EQ(r->broken_links[0].href, "http://site.test/a");
}

}  // namespace
}  // namespace slipway::activities

namespace slipway::activities {
namespace {

class FixedResolver : public HostResolver {
 public:
  std::map<std::string, std::vector<std::string>> answers;
  Result<std::vector<std::string>> Resolve(const std::string& host) override {
    auto it = answers.find(host);
    if (it == answers.end()) return NotFound("no such host: " + host);
    return it->second;
  }
};

VerifyOptions NoLighthouse() {
  VerifyOptions o;
  o.lighthouse.enabled = false;
  return o;
}

bool Sent(const ScriptedHttp& http, const std::string& needle) {
  for (const HttpRequest& r : http.sent) {
    if (r.url.find(needle) != std::string::npos) return true;
  }
  return false;
}

TEST(CrawlTest, TruncatedCrawlFailsUnlessAllowed) {
  ScriptedHttp http;
  http.pages["/"] = "";
  for (int i = 0; i < 10; ++i) {
    http.pages["/"] += "<a href=\"/p" + std::to_string(i) + "\">";
    http.pages["/p" + std::to_string(i)] = "page";
  }
  SystemClock clock;
  build::FakeProcessRunner runner;
  VerifyOptions o = NoLighthouse();
  o.max_pages = 3;
  Result<VerifyResult> r = Verifier(http, clock, runner, o).Run({"http://site.test/", ""});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->broken_links.empty());
  EXPECT_EQ(r->pages_checked, 3);
  EXPECT_FALSE(r->passed);
  EXPECT_EQ(r->reason, "the crawl was truncated (pages budget ran out): not every page was checked");
  EXPECT_EQ(ToJson(*r)["truncated_by"], "pages");
  o.allow_truncated_crawl = true;
  r = Verifier(http, clock, runner, o).Run({"http://site.test/", ""});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->passed) << r->reason;
  EXPECT_TRUE(r->crawl_truncated);  // still visible in the result
}

TEST(CrawlTest, AssetsAreCheckedButNotScanned) {
  ScriptedHttp http;
  http.pages["/"] = R"(<link rel="stylesheet" href="/a.css"><img src="/missing.png"
    srcset="/a.css 1x, /hi.png 2x"><script src="/app.js"></script>)";
  http.pages["/a.css"] = "<a href=\"/never\">";
  http.pages["/app.js"] = "x";
  http.pages["/hi.png"] = "png";
  SystemClock clock;
  build::FakeProcessRunner runner;
  Result<VerifyResult> r =
      Verifier(http, clock, runner, NoLighthouse()).Run({"http://site.test/", ""});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->assets_checked, 4);  // a.css once, missing.png, hi.png, app.js
  ASSERT_EQ(r->broken_links.size(), 1u);
  EXPECT_EQ(r->broken_links[0].href, "http://site.test/missing.png");
  EXPECT_EQ(r->broken_links[0].kind, "asset");
  EXPECT_EQ(r->broken_links[0].status, 404);
  EXPECT_FALSE(Sent(http, "/never"));
  EXPECT_EQ(http.sent.back().max_body_bytes, VerifyOptions{}.max_asset_bytes);
}

TEST(CrawlTest, ExternalLinksAreOffByDefault) {
  ScriptedHttp http;
  http.pages["/"] = R"(<a href="http://169.254.169.254/latest/meta-data/">x</a>
    <script src="https://cdn.test/x.js"></script>)";
  SystemClock clock;
  build::FakeProcessRunner runner;
  FixedResolver resolver;
  Result<VerifyResult> r = Verifier(http, clock, runner, NoLighthouse(), &resolver)
                               .Run({"http://site.test/", ""});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->passed) << r->reason;
  EXPECT_EQ(r->external_skipped, 2);
  EXPECT_EQ(http.sent.size(), 1u);  // the page only
}

TEST(CrawlTest, ExternalLinksNeverReachPrivateAddresses) {
  ScriptedHttp http;
  http.pages["/"] = R"(<a href="http://evil.test/a">1</a> <a href="http://meta.test/b">2</a>
    <a href="http://v6.test/c">3</a> <a href="http://mapped.test/d">4</a>
    <a href="http://ula.test/e">5</a> <a href="http://127.0.0.1:9/f">6</a>
    <a href="http://[::1]/g">7</a> <img src="https://ok.test/ext-ok">)";
  http.pages["/ext-ok"] = "fine";
  SystemClock clock;
  build::FakeProcessRunner runner;
  FixedResolver resolver;
  resolver.answers = {{"evil.test", {"127.0.0.1"}},        {"meta.test", {"169.254.169.254"}},
                      {"v6.test", {"::1"}},                {"mapped.test", {"::ffff:10.0.0.1"}},
                      {"ula.test", {"fd00::1"}},           {"ok.test", {"93.184.215.14"}}};
  SystemResolver system;  // numeric hosts resolve to themselves
  resolver.answers["127.0.0.1"] = *system.Resolve("127.0.0.1");
  resolver.answers["::1"] = *system.Resolve("::1");
  VerifyOptions o = NoLighthouse();
  o.check_external_links = true;
  Result<VerifyResult> r = Verifier(http, clock, runner, o, &resolver).Run({"http://site.test/", ""});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->broken_links.size(), 7u);
  for (const BrokenLink& b : r->broken_links) {
    EXPECT_EQ(b.kind, "external");
    EXPECT_EQ(b.status, 0);
    EXPECT_EQ(b.error.rfind("refused: ", 0), 0u) << b.error;
  }
  EXPECT_FALSE(r->passed);
  // Only the public one was fetched, pinned to the address that was checked.
  ASSERT_EQ(http.sent.size(), 2u);
  EXPECT_EQ(http.sent[1].url, "https://ok.test/ext-ok");
  EXPECT_EQ(http.sent[1].connect_address, "93.184.215.14");
  EXPECT_EQ(r->external_checked, 1);
}

}  // namespace
}  // namespace slipway::activities
