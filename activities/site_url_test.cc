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
  o.lighthouse.chromium_path = "/nonexistent/chromium";
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
  o.lighthouse.chromium_path = "/nonexistent/chromium";
  o.max_page_bytes = 1024 * 1024;
  Verifier v(http, clock, runner, o);
  Result<VerifyResult> r = v.Run({"http://site.test/", ""});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->broken_links.size(), 1u);  // /a only; /b lies past the first MiB
  EXPECT_EQ(r->broken_links[0].href, "http://site.test/a");
}

}  // namespace
}  // namespace slipway::activities
