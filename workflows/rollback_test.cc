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
        Start("deployment", tenant, {{"website_data", {{"siteName", name}}}}).instance.id);
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

}  // namespace
}  // namespace slipway::workflows::testing
