#include "activities/verify.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "activities/build/fake_process_runner.h"
#include "activities/emulator_fixture.h"
#include "activities/github_client.h"
#include "activities/site_url.h"
#include "activities/vercel_client.h"

namespace slipway::activities {
namespace {

namespace fs = std::filesystem;

void Write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

class VerifyTest : public testing::EmulatorFixture {
 protected:
  // A site whose pages all exist: / -> /about, /blog; /about -> /, a public file, a mailto.
  void UseGoodSite() {
    fs::path t = dir_ / "good";
    Write(t / "package.json", R"({"name":"site","private":true})");
    Write(t / "pages/index.tsx", R"(<a href="/about">About</a> <a href="blog/">Blog</a>
<a href="https://example.org/elsewhere">out</a> <a href="#top">top</a>)");
    Write(t / "pages/about.tsx", R"(<a href="/">Home</a> <a href="/logo.txt">logo</a>
<a href="mailto:hi@example.org">mail</a>)");
    Write(t / "pages/blog/index.tsx", R"(<a href="../about">About</a>)");
    Write(t / "public/logo.txt", "logo");
    options_.template_dir = t.string();
  }
  // Deploys the template to production; returns the deployment's host.
  std::string Deploy() {
    StartEmulator();
    GitHubClient gh(http_, Config().github);
    EXPECT_TRUE(gh.CreateRepoFromTemplate({"tenant-foo", "", true}).ok());
    VercelClient vc(http_, Config().vercel);
    Result<VercelProject> p = vc.CreateProject({"tenant-foo", "nextjs", "acme/tenant-foo", {}});
    EXPECT_TRUE(p.ok());
    DeploymentSpec d;
    d.project = p->id;
    d.target = "production";
    d.git_org = "acme";
    d.git_repo = "tenant-foo";
    d.git_ref = "main";
    Result<VercelDeployment> dep = vc.CreateDeployment(d);
    EXPECT_TRUE(dep.ok()) << dep.status().ToString();
    if (!dep.ok()) return "";
    Result<VercelDeployment> now = vc.GetDeployment(dep->id);  // no delay: READY when asked
    EXPECT_TRUE(now.ok() && now->Ready());
    return dep->url;
  }
  Result<VerifyResult> Verify(const std::string& host, VerifyOptions o = NoChromium()) {
    Verifier v(http_, clock_, runner_, o);
    return v.Run({"http://" + host + "/", emu_->base_url()});
  }
  // Lighthouse off (its own tests: lighthouse_test.cc, browser_test).
  static VerifyOptions NoChromium() {
    VerifyOptions o;
    o.lighthouse.enabled = false;
    return o;
  }
  SystemClock clock_;
  build::FakeProcessRunner runner_;
};

TEST_F(VerifyTest, GoodSitePasses) {
  UseGoodSite();
  std::string host = Deploy();
  Result<VerifyResult> r = Verify(host);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(r->passed) << r->reason;
  EXPECT_TRUE(r->broken_links.empty());
  EXPECT_EQ(r->pages_checked, 4);  // /, /about, /blog/, /logo.txt
  EXPECT_FALSE(r->crawl_truncated);
  EXPECT_TRUE(r->lighthouse.skipped);
  EXPECT_EQ(r->lighthouse.reason, "disabled by configuration");
  EXPECT_TRUE(runner_.specs().empty());
  nlohmann::json j = ToJson(*r);
  EXPECT_EQ(j["lighthouse"]["skipped"], r->lighthouse.reason);
  EXPECT_EQ(j["url"], "http://" + host + "/");
}

TEST_F(VerifyTest, MissingChromiumFailsVerifyInNormalMode) {
  UseGoodSite();
  std::string host = Deploy();
  VerifyOptions o;
  o.lighthouse.chromium_path = "/nonexistent/chromium";
  Result<VerifyResult> r = Verify(host, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->broken_links.empty());
  EXPECT_FALSE(r->passed);
  EXPECT_FALSE(r->lighthouse.skipped);
  EXPECT_EQ(r->reason.rfind("Lighthouse could not run: Chromium not found at /nonexistent", 0), 0u)
      << r->reason;
  o.lighthouse.allow_skip = true;  // slipwayd --sandbox
  r = Verify(host, o);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->passed) << r->reason;
  EXPECT_EQ(ToJson(*r)["lighthouse"]["skipped"].get<std::string>().rfind("sandbox mode: ", 0), 0u);
}

TEST_F(VerifyTest, ReportsABrokenLink) {
  std::string host = Deploy();  // the fixture's template links to /about, which has no page
  Result<VerifyResult> r = Verify(host);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_FALSE(r->passed);
  ASSERT_EQ(r->broken_links.size(), 1u);
  EXPECT_EQ(r->broken_links[0].from, "http://" + host + "/");
  EXPECT_EQ(r->broken_links[0].href, "http://" + host + "/about");
  EXPECT_EQ(r->broken_links[0].status, 404);
  EXPECT_EQ(r->reason, "1 broken link(s)");
}

TEST_F(VerifyTest, CrawlStopsAtThePageBudget) {
  UseGoodSite();
  std::string host = Deploy();
  VerifyOptions o = NoChromium();
  o.max_pages = 2;
  Result<VerifyResult> r = Verify(host, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->pages_checked, 2);
  EXPECT_TRUE(r->crawl_truncated);
}

TEST_F(VerifyTest, UnknownSiteFailsWithItsStatus) {
  StartEmulator();
  Result<VerifyResult> r = Verify("nobody.vercel.app");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 401);  // the emulator takes an unknown host for an API call
  EXPECT_FALSE(r->passed);
  EXPECT_EQ(r->reason, "the page answered HTTP 401");
  EXPECT_EQ(r->lighthouse.reason, "the page did not load");
}

TEST_F(VerifyTest, NoAnswerIsRetryable) {
  Verifier v(http_, clock_, runner_, NoChromium());
  Result<VerifyResult> r =
      v.Run({"http://site.example/", "http://127.0.0.1:" + std::to_string(ClosedPort())});
  EXPECT_TRUE(r.status().retryable()) << r.status().ToString();
  EXPECT_EQ(v.Run({"ftp://x/", ""}).status().code(), Code::kInvalidArgument);
}

TEST(SiteUrlTest, ResolvesLinksLikeABrowser) {
  SiteUrl base = *ParseSiteUrl("https://Site.test/blog/post?x=1#frag");
  EXPECT_EQ(base.ToString(), "https://site.test/blog/post?x=1");
  EXPECT_EQ(ResolveHref(base, "/a/./b/../c")->ToString(), "https://site.test/a/c");
  EXPECT_EQ(ResolveHref(base, "other")->ToString(), "https://site.test/blog/other");
  EXPECT_EQ(ResolveHref(base, "../up/")->ToString(), "https://site.test/up/");
  EXPECT_EQ(ResolveHref(base, "?y=2")->ToString(), "https://site.test/blog/post?y=2");
  EXPECT_EQ(ResolveHref(base, "//cdn.test/x")->Origin(), "https://cdn.test");
  EXPECT_FALSE(ResolveHref(base, "mailto:a@b.test"));
  EXPECT_FALSE(ResolveHref(base, "#top"));
  EXPECT_EQ(ExtractHrefs(R"(<a HREF='/x?a=1&amp;b=2'>)").at(0), "/x?a=1&b=2");
}

}  // namespace
}  // namespace slipway::activities
