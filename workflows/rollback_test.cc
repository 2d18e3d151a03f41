// workflows/rollback_test.cc: the ops rollback workflow: to the previous production deployment
// or a named one; nothing to go back to is a clear failure.
#include <gtest/gtest.h>

#include "engine/transition.h"
#include "workflows/testing/workflow_fixture.h"

namespace slipway::workflows::testing {
namespace {

using nlohmann::json;
namespace st = engine::status;

class RollbackTest : public WorkflowFixture {
 protected:
  std::string Deploy(const std::string& tenant, const std::string& name) {
    auto w = RunUntilSettled(
        Start("deployment", tenant, {{"website_data", SiteData(name)}}).instance.id);
    EXPECT_EQ(w.instance.status, st::kCompleted) << w.instance.error_json;
    return ResultOf(w)["deployment"]["id"];
  }
  std::string ServingProduction(const std::string& tenant) {
    auto rec = registry_->tenants().Require(tenant);
    auto p = vercel_->GetProject(rec->prod_project_id);
    EXPECT_TRUE(p.ok());
    return p.ok() ? p->production_deployment_id : "";
  }
};

TEST_F(RollbackTest, RollsBackToThePreviousProductionDeployment) {
  MakeTenant("t1");
  const std::string d1 = Deploy("t1", "one");
  const std::string d2 = Deploy("t1", "two");
  ASSERT_EQ(ServingProduction("t1"), d2);
  auto w = RunUntilSettled(Start("rollback", "t1", json::object()).instance.id);
  ASSERT_EQ(w.instance.status, st::kCompleted) << w.instance.error_json;
  EXPECT_EQ(ResultOf(w)["deployment_id"], d1);
  EXPECT_EQ(ResultOf(w)["replaced"], d2);
  EXPECT_EQ(ServingProduction("t1"), d1);
  EXPECT_EQ(EmuCount("rolled_back"), 1);
  EXPECT_EQ(registry_->tenants().Require("t1")->production_deployment, d1);

  // A deployment after a rollback serves production again (promoted).
  const std::string d3 = Deploy("t1", "three");
  EXPECT_EQ(ServingProduction("t1"), d3);
}

TEST_F(RollbackTest, RollsBackToANamedDeployment) {
  MakeTenant("t1");
  const std::string d1 = Deploy("t1", "one");
  Deploy("t1", "two");
  Deploy("t1", "three");
  auto w = RunUntilSettled(Start("rollback", "t1", {{"deployment_id", d1}}).instance.id);
  ASSERT_EQ(w.instance.status, st::kCompleted) << w.instance.error_json;
  EXPECT_EQ(ServingProduction("t1"), d1);
}

TEST_F(RollbackTest, NothingToGoBackToFailsClearly) {
  MakeTenant("t1");
  Deploy("t1", "only");
  auto w = RunUntilSettled(Start("rollback", "t1", json::object()).instance.id);
  ASSERT_EQ(w.instance.status, st::kFailed);
  EXPECT_EQ(ErrorOf(w)["step"], "resolve");
  EXPECT_NE(ErrorOf(w)["message"].get<std::string>().find("no production deployment before"),
            std::string::npos);
  auto unknown = RunUntilSettled(Start("rollback", "t1", {{"deployment_id", "dpl_nope"}}).instance.id);
  ASSERT_EQ(unknown.instance.status, st::kFailed);
  EXPECT_EQ(ErrorOf(unknown)["code"], "invalid_argument");
  EXPECT_EQ(EmuCount("rolled_back"), 0);
}

TEST_F(RollbackTest, RollbackQueuesBehindARunningDeploymentOfItsTenantAndTheOtherWayRound) {
  MakeTenant("t1");
  MakeTenant("t2");
  const std::string d1 = Deploy("t1", "one");
  json in = {{"website_data", SiteData("two")}, {"require_approval", true}};
  auto deploy = RunUntilSettled(Start("deployment", "t1", in).instance.id);
  ASSERT_EQ(deploy.instance.state, "approval");  // active, holding the tenant's turn
  auto rollback = Start("rollback", "t1", json::object());
  auto other = Start("rollback", "t2", json::object());  // another tenant: not held up
  ASSERT_TRUE(engine_->RunDueWork().ok());
  rollback = Get(rollback.instance.id);
  EXPECT_EQ(rollback.instance.status, st::kQueued);
  EXPECT_EQ(rollback.queued_behind, deploy.instance.id);
  EXPECT_EQ(rollback.instance.serial_key, "deployment:t1");
  EXPECT_EQ(Get(other.instance.id).instance.status, st::kFailed);  // ran: nothing to go back to
  EXPECT_EQ(EmuCount("rolled_back"), 0);

  // A deployment started now queues behind the rollback: FIFO across both types.
  auto later = Start("deployment", "t1", {{"website_data", SiteData("three")}});
  ASSERT_TRUE(engine_->RunDueWork().ok());
  EXPECT_EQ(Get(later.instance.id).queued_behind, rollback.instance.id);

  ASSERT_TRUE(engine_->Signal(deploy.instance.id, "approve", json::object(),
                              engine::Caller{"ops:alice"}).ok());
  deploy = RunUntilSettled(deploy.instance.id);
  ASSERT_EQ(deploy.instance.status, st::kCompleted) << deploy.instance.error_json;
  const std::string d2 = ResultOf(deploy)["deployment"]["id"];
  RunAll({rollback.instance.id, later.instance.id});
  rollback = Get(rollback.instance.id);
  ASSERT_EQ(rollback.instance.status, st::kCompleted) << rollback.instance.error_json;
  // It ran after the deployment ended: it replaced d2, which it could not have seen before.
  EXPECT_EQ(ResultOf(rollback)["replaced"], d2);
  EXPECT_EQ(ResultOf(rollback)["deployment_id"], d1);
  // The later deployment ran after the rollback: it replaced what the rollback put back.
  auto after = Get(later.instance.id);
  ASSERT_EQ(after.instance.status, st::kCompleted) << after.instance.error_json;
  EXPECT_EQ(ResultOf(after)["deployment"]["previous_id"], d1);
}

}  // namespace
}  // namespace slipway::workflows::testing
