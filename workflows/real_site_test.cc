// workflows/real_site_test.cc: a deployment of the real template site (tests/fixtures/site:
// `npm ci`, TypeScript 5.6, `tsc` build) with the seeded type error: the Autofixer fixes it and
// the site deploys. Needs node, npm and the npm registry (or a warm cache): label "npm".
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "engine/transition.h"
#include "workflows/testing/workflow_fixture.h"

namespace slipway::workflows::testing {
namespace {

using nlohmann::json;

std::string ReadFixture(const std::string& rel) {
  std::ifstream in(std::string(SLIPWAY_FIXTURES_DIR) + "/" + rel);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class RealSiteTest : public WorkflowFixture {
 protected:
  std::string TemplateDir() const override {
    return std::string(SLIPWAY_FIXTURES_DIR) + "/site";
  }
  void SetUp() override {
    use_verifier_ = false;  // the fixture site has no pages/ or app/ routes to serve
    sandbox_builds_ = true;
    WorkflowFixture::SetUp();
  }
};

TEST_F(RealSiteTest, TypeErrorIsAutofixedAndTheRealSiteDeploys) {
  MakeTenant("real");
  HumanCommit("real", "src/render.ts", ReadFixture("site-variants/type-error/src/render.ts"));
  json in = {{"website_data", json::parse(ReadFixture("site/websiteData.json"))}};
  in["website_data"]["siteName"] = "Real Co";
  auto w = RunUntilSettled(Start("deployment", "real", in).instance.id, 300);
  ASSERT_EQ(w.instance.status, engine::status::kCompleted) << w.instance.error_json;
  json r = ResultOf(w);
  EXPECT_EQ(r["fixes_applied"], 1);
  EXPECT_EQ(r["commits"]["deployed"], r["commits"]["autofix"][0]);
  auto fixed = github_->GetFile("real", "src/render.ts", "production");
  ASSERT_TRUE(fixed.ok() && fixed->has_value());
  EXPECT_EQ((*fixed)->content.find("const title: string = site.pages.length;"), std::string::npos)
      << (*fixed)->content;
}

}  // namespace
}  // namespace slipway::workflows::testing
