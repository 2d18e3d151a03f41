// workflows/chaos_test.cc: every workflow against an emulator that answers 30% of all requests
// with 5xx or 429 (seeded): each still completes, and the emulator's log shows every
// repository, project, commit and deployment made exactly once.
#include <gtest/gtest.h>

#include "engine/transition.h"
#include "workflows/testing/workflow_fixture.h"

namespace slipway::workflows::testing {
namespace {

using nlohmann::json;
namespace st = engine::status;

class ChaosTest : public WorkflowFixture {
 protected:
  void SetUp() override {
    WorkflowFixture::SetUp();
    engine::RetryPolicy p;
    p.initial_interval_ms = 500;
    p.max_interval_ms = 4000;
    p.max_attempts = 30;
    p.attempt_timeout_ms = 0;
    p.jitter = false;
    RetryPolicies& r = options_.retry;
    r.github = r.vercel = r.deploy = r.build = r.llm = r.verify = r.notify = r.local = p;
    MakeEngine();
  }
  void ExpectCompleted(const std::string& id) {
    auto w = Get(id);
    EXPECT_EQ(w.instance.status, st::kCompleted) << id << " " << w.instance.error_json;
  }
};

TEST_F(ChaosTest, FaultyCloudEveryWorkflowCompletesAndNoEffectHappensTwice) {
  Faults(R"({"seed": 11, "rules": [
      {"path": "*", "status": 503, "rate": 0.15},
      {"path": "*", "status": 429, "rate": 0.18, "retry_after_s": 1}]})");
  const std::vector<std::string> tenants = {"c1", "c2", "c3"};
  std::vector<std::string> ids;
  for (const auto& t : tenants) {
    ids.push_back(Start("onboarding", t, {{"email", t + "@example.test"}}, "onb-" + t).instance.id);
  }
  RunAll(ids, 3000, 1000, false);
  for (const auto& id : ids) ExpectCompleted(id);

  ids.clear();
  for (const auto& t : tenants) {
    ids.push_back(Start("deployment", t, {{"website_data", {{"siteName", t}}}}, "dep-" + t).instance.id);
  }
  RunAll(ids, 3000, 1000, false);
  for (const auto& id : ids) ExpectCompleted(id);

  auto tpl = template_github_->PutFile({"site", "src/footer.ts", "",
                                        "export const footer: string = \"hi\";\n", "footer", {}});
  for (int i = 0; i < 20 && !tpl.ok(); ++i) {  // the test's own call meets the faults too
    tpl = template_github_->PutFile({"site", "src/footer.ts", "",
                                     "export const footer: string = \"hi\";\n", "footer", {}});
  }
  ASSERT_TRUE(tpl.ok()) << tpl.status().ToString();
  Start("template_update", "ops", {{"template_ref", "main"}, {"max_parallel", 2}}, "tu");
  RunAll({"tu"}, 3000, 1000, false);
  ExpectCompleted("tu");
  EXPECT_EQ(ResultOf(Get("tu"))["deployed"], 3);

  EXPECT_GT(emu_->log().Entries().size(), 0u);
  int faulted = 0;
  for (const auto& e : emu_->log().Entries()) faulted += !e.fault.empty();
  EXPECT_GT(faulted, 20) << "the faults did not fire";
  EXPECT_EQ(EmuCount("repo_created"), 3);
  EXPECT_EQ(EmuCount("project_created"), 6);
  EXPECT_EQ(EmuCount("deployment_created"), 9);  // dev + deployment + template update, each once
  for (const auto& t : tenants) {
    EXPECT_EQ(EmuCount("repo_created", "acme/" + t), 1) << t;
    EXPECT_EQ(EmuCount("commit", "acme/" + t), 2) << t;  // websiteData.json, then the footer
    // The production branch and each deployment's work branch, once each.
    EXPECT_EQ(EmuCount("ref_created", "acme/" + t), 3) << t;
    EXPECT_EQ(EmuCount("branch_moved", "acme/" + t), 2) << t;  // production, by each release
  }
}

}  // namespace
}  // namespace slipway::workflows::testing
