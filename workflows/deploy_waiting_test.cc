// workflows/deploy_waiting_test.cc: deploy and promote wait for Vercel without holding a
// worker: a build that takes several looks (the emulator's deploy delay, real time) completes
// with one Vercel deployment, one attempt per step, and history events per state change only.
#include <gtest/gtest.h>

#include "engine/audit.h"
#include "workflows/activities/deploy_activity.h"
#include "workflows/testing/workflow_fixture.h"

namespace slipway::workflows::testing {
namespace {

using nlohmann::json;

class DeployWaitingTest : public WorkflowFixture {
 protected:
  DeployWaitingTest() { emu_deploy_delay_ms_ = 600; }  // QUEUED 300 ms, then BUILDING
  std::vector<json> Progress(const std::string& id, const std::string& step) {
    std::vector<json> out;
    auto h = engine_->History(id, 0, 0);
    for (const auto& e : *h) {
      if (e.type == "step_progress" && e.step == step) out.push_back(json::parse(e.data_json));
    }
    return out;
  }
};

TEST_F(DeployWaitingTest, ABuildThatTakesSeveralLooksMakesOneDeployment) {
  MakeTenant("t1");
  const std::string id =
      Start("deployment", "t1", {{"website_data", SiteData("Acme")}}).instance.id;
  // Each round advances the fake clock past the poll interval: a round is one look.
  auto w = RunUntilSettled(id, /*max_rounds=*/20'000);
  ASSERT_EQ(w.instance.status, engine::status::kCompleted) << w.instance.error_json;
  EXPECT_EQ(EmuCount("deployment_created"), 1);
  EXPECT_EQ(EmuCount("promoted"), 1);
  EXPECT_EQ(StepOf(w, "deploy")["attempts"], 1);
  EXPECT_EQ(StepOf(w, "promote")["attempts"], 1);
  EXPECT_FALSE(StepOf(w, "deploy").contains("progress"));  // gone once the step succeeded
  auto deploy = Progress(id, "deploy");
  ASSERT_FALSE(deploy.empty());
  // One event per state change (QUEUED, BUILDING), however many looks it took.
  EXPECT_LE(deploy.size(), 2u);
  int last_looks = 0;
  std::string last_state;
  for (const auto& p : deploy) {
    EXPECT_EQ(p["progress"]["deployment_id"], ResultOf(w)["deployment"]["id"]);
    EXPECT_NE(p["progress"]["state"], last_state);
    last_state = p["progress"]["state"];
    last_looks = p["looks"];
  }
  EXPECT_GE(last_looks, 1);
  auto h = engine_->History(id, 0, 0);
  EXPECT_TRUE(engine::VerifyChain(*h).ok());
}

TEST(DeployLookDelayTest, TheIntervalThenFortyPercentLongerEachUpToTheCap) {
  WorkflowOptions o;  // 2 s, up to 10 s
  EXPECT_EQ(DeployLookDelayMs(o, 0), 2000);
  EXPECT_EQ(DeployLookDelayMs(o, 1), 2800);
  EXPECT_EQ(DeployLookDelayMs(o, 2), 3920);
  EXPECT_EQ(DeployLookDelayMs(o, 4), 7683);
  EXPECT_EQ(DeployLookDelayMs(o, 5), 10'000);
  EXPECT_EQ(DeployLookDelayMs(o, 1'000'000), 10'000);
  // A 120 s build is looked at 15 times, not 60; a 30 s one is seen 1.9 s late.
  int looks = 0;
  int64_t waited = 0;
  for (; waited < 120'000; ++looks) waited += DeployLookDelayMs(o, looks);
  EXPECT_EQ(looks, 15);
  waited = 0;
  for (looks = 0; waited < 30'000; ++looks) waited += DeployLookDelayMs(o, looks);
  EXPECT_EQ(waited, 31'891);
  o.deploy_poll_max_interval_ms = 1000;  // below the interval: the interval wins
  EXPECT_EQ(DeployLookDelayMs(o, 50), 2000);
}

TEST_F(DeployWaitingTest, CancelWhileVercelBuildsEndsTheDeploymentAtOnce) {
  MakeTenant("t1");
  const std::string id =
      Start("deployment", "t1", {{"website_data", SiteData("Acme")}}).instance.id;
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(engine_->RunDueWork().ok());
    if (StepOf(Get(id), "deploy")["status"] == "waiting") break;
    clock_.Advance(std::chrono::milliseconds(1000));
  }
  ASSERT_EQ(StepOf(Get(id), "deploy")["status"], "waiting");
  auto c = engine_->Cancel(id, engine::Caller{"ops:alice"});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->instance.status, engine::status::kCancelled);
  EXPECT_EQ(EmuCount("promoted"), 0);
}

}  // namespace
}  // namespace slipway::workflows::testing
