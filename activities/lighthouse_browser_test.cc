// activities/lighthouse_browser_test.cc: verify with a real headless Chromium and the Lighthouse
// CLI of tools/node (ctest label `browser`, in the default run; tools/setup.sh installs both).
//
// The emulator serves two deployed pages: a bare one, and one whose scripts keep the main thread
// busy for seconds (a page made slow on purpose). The first passes the default performance
// threshold (80), the second fails with its score in the reason. Each run takes 15-40 s.
#include <gtest/gtest.h>

#include <fstream>

#include "activities/build/process_runner.h"
#include "activities/emulator_fixture.h"
#include "activities/github_client.h"
#include "activities/vercel_client.h"
#include "activities/verify.h"

namespace slipway::activities {
namespace {

namespace fs = std::filesystem;

constexpr const char* kHead =
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    "<meta name=\"description\" content=\"A tenant page\">";

// Burns the main thread for `ms` at parse time and again after load: long tasks that
// Lighthouse sees as blocking time and late paints.
std::string BusyScript(int ms) {
  return "<script>(function(){var e=Date.now()+" + std::to_string(ms) +
         ";while(Date.now()<e){}})();</script>";
}

class LighthouseBrowserTest : public testing::EmulatorFixture {
 protected:
  void SetUp() override {
    EmulatorFixture::SetUp();
    fs::path pub = dir_ / "template" / "public";
    fs::create_directories(pub);
    std::ofstream(pub / "fast.html")
        << kHead << "<title>Fast</title><link rel=\"stylesheet\" href=\"/site.css\"></head>"
        << "<body><h1>Fast</h1><p>Hello.</p><img src=\"/dot.svg\" alt=\"dot\" width=\"8\" "
        << "height=\"8\"></body></html>\n";
    std::ofstream(pub / "site.css") << "body{font-family:sans-serif}\n";
    std::ofstream(pub / "dot.svg")
        << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"8\" height=\"8\"/>\n";
    std::ofstream(pub / "slow.html")
        << kHead << "<title>Slow</title>" << BusyScript(3000) << "</head><body><h1>Slow</h1>"
        << "<p>Hello.</p><script>setTimeout(function(){" << "var e=Date.now()+3000;"
        << "while(Date.now()<e){}},50);</script></body></html>\n";
    StartEmulator();
    host_ = Deploy();
  }
  std::string Deploy() {
    GitHubClient gh(http_, Config().github);
    EXPECT_TRUE(gh.CreateRepoFromTemplate({"tenant-lh", "", true}).ok());
    VercelClient vc(http_, Config().vercel);
    Result<VercelProject> p = vc.CreateProject({"tenant-lh", "nextjs", "acme/tenant-lh", {}});
    EXPECT_TRUE(p.ok());
    DeploymentSpec d;
    d.project = p.ok() ? p->id : "";
    d.target = "production";
    d.git_org = "acme";
    d.git_repo = "tenant-lh";
    d.git_ref = "main";
    Result<VercelDeployment> dep = vc.CreateDeployment(d);
    EXPECT_TRUE(dep.ok()) << dep.status().ToString();
    if (!dep.ok()) return "";
    Result<VercelDeployment> now = vc.GetDeployment(dep->id);  // no delay: READY when asked
    EXPECT_TRUE(now.ok() && now->Ready());
    return dep->url;
  }
  Result<VerifyResult> Verify(const std::string& path) {
    Verifier v(http_, clock_, runner_, VerifyOptions{});  // the defaults slipwayd uses
    return v.Run({"http://" + host_ + path, emu_->base_url()});
  }
  SystemClock clock_;
  build::PosixProcessRunner runner_{clock_};
  std::string host_;
};

TEST_F(LighthouseBrowserTest, FastPagePassesWithItsScores) {
  Result<VerifyResult> r = Verify("/fast.html");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->lighthouse.error.empty()) << r->lighthouse.error;
  EXPECT_FALSE(r->lighthouse.skipped);
  EXPECT_TRUE(r->passed) << r->reason;
  EXPECT_GE(r->lighthouse.scores["performance"], 80);
  for (const char* category : {"performance", "accessibility", "best-practices", "seo"}) {
    EXPECT_EQ(r->lighthouse.scores.count(category), 1u) << category;
  }
  nlohmann::json j = ToJson(*r);
  EXPECT_EQ(j["lighthouse"]["thresholds"]["performance"], 80);
  EXPECT_TRUE(j["lighthouse"]["passed"].get<bool>());
}

TEST_F(LighthouseBrowserTest, SlowPageFailsWithItsScoreInTheReason) {
  Result<VerifyResult> r = Verify("/slow.html");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->lighthouse.error.empty()) << r->lighthouse.error;
  EXPECT_FALSE(r->passed);
  int score = r->lighthouse.scores["performance"];
  EXPECT_LT(score, 80);
  EXPECT_EQ(r->reason, "Lighthouse performance " + std::to_string(score) + " is below 80");
  EXPECT_TRUE(r->broken_links.empty());
}

}  // namespace
}  // namespace slipway::activities
