// workflows/llm_budget_test.cc: a deployment whose tenant's LLM budget is spent skips auto-fix
// with "LLM budget exhausted", shows the parsed build errors, asks the model nothing more, and
// resumes once the budget allows (the next UTC day).
#include <gtest/gtest.h>

#include "workflows/testing/workflow_fixture.h"

namespace slipway::workflows::testing {
namespace {

using nlohmann::json;
namespace st = engine::status;

class LlmBudgetDeploymentTest : public WorkflowFixture {
 protected:
  LlmBudgetDeploymentTest() {
    activities::LlmBudgetLimits limits;
    limits.tenant_usd_per_day = 1e-9;  // the first call spends it
    llm_limits_ = limits;
  }
};

TEST_F(LlmBudgetDeploymentTest, ASpentBudgetSkipsAutofixWithTheBuildErrorsAndResumeRetriesIt) {
  MakeTenant("t1");
  SeedError("t1", "unfixable");
  auto w = RunUntilSettled(Start("deployment", "t1", {{"website_data", SiteData("Acme")}})
                               .instance.id);
  ASSERT_EQ(w.instance.status, st::kFailed);
  EXPECT_EQ(ErrorOf(w)["state"], "autofix_failed") << ErrorOf(w);
  EXPECT_EQ(EmuCount("message"), 1) << "round 1 asked the model; round 2 was refused";
  json cause = ErrorOf(w)["cause"];
  const std::string message = cause["message"];
  EXPECT_NE(message.find("LLM budget exhausted"), std::string::npos) << message;
  EXPECT_NE(message.find("src/custom.ts:1:"), std::string::npos) << message;
  json details = w.ToJson()["error"]["cause"]["details"];
  ASSERT_TRUE(details.is_object()) << cause;
  ASSERT_GE(details["errors"].size(), 1u);
  EXPECT_EQ(details["errors"][0]["file"], "src/custom.ts");
  json state = llm_budget_->State();
  EXPECT_EQ(state["exhausted_tenants"], json::array({"t1"}));
  EXPECT_EQ(EmuCount("deployment_created"), 0);

  clock_.Advance(std::chrono::hours(24));  // a new UTC day: a new budget
  ASSERT_TRUE(engine_->Resume(w.instance.id, engine::Caller{"ops:alice"}).ok());
  w = RunUntilSettled(w.instance.id);
  EXPECT_EQ(EmuCount("message"), 2) << "resume ran auto-fix again";
  EXPECT_EQ(w.instance.status, st::kFailed);  // the error stays unfixable
  EXPECT_EQ(ErrorOf(w)["state"], "revalidate_failed") << ErrorOf(w);
}

TEST_F(LlmBudgetDeploymentTest, AnotherTenantsSpentBudgetDoesNotStopThisOnesFix) {
  MakeTenant("t1");
  MakeTenant("t2");
  SeedError("t1", "unfixable");
  SeedError("t2", "fixable");
  auto w1 = RunUntilSettled(Start("deployment", "t1", {{"website_data", SiteData("A")}})
                                .instance.id);
  EXPECT_EQ(ErrorOf(w1)["state"], "autofix_failed");
  auto w2 = RunUntilSettled(Start("deployment", "t2", {{"website_data", SiteData("B")}})
                                .instance.id);
  EXPECT_EQ(w2.instance.status, st::kCompleted) << w2.instance.error_json;
}

}  // namespace
}  // namespace slipway::workflows::testing
