// workflows/tenant_settings_test.cc: the tenant's approval policy: ops set it with a
// tenant_settings workflow, every later deployment of that tenant follows it.
#include <gtest/gtest.h>

#include "workflows/tenant_settings_workflow.h"
#include "workflows/testing/workflow_fixture.h"

namespace slipway::workflows::testing {
namespace {

using nlohmann::json;
namespace st = engine::status;

class TenantSettingsTest : public WorkflowFixture {
 protected:
  json Site(const std::string& name) { return {{"website_data", SiteData(name)}}; }
  engine::Workflow Settings(const std::string& tenant, const json& in) {
    return RunUntilSettled(Start(kTenantSettingsType, tenant, in).instance.id);
  }
};

TEST_F(TenantSettingsTest, OpsSetThePolicyDurablyAndDeploymentsFollowIt) {
  MakeTenant("t1");
  auto set = Settings("t1", {{"require_approval", true}, {"approval_timeout_s", 600}});
  ASSERT_EQ(set.instance.status, st::kCompleted) << set.instance.error_json;
  EXPECT_EQ(ResultOf(set), json({{"require_approval", true}, {"approval_timeout_s", 600}}));
  Result<TenantRecord> rec = TenantRecords(engine_->store()).Require("t1");
  ASSERT_TRUE(rec.ok());
  EXPECT_TRUE(rec->require_approval);
  EXPECT_EQ(rec->approval_timeout_s, 600);

  // The tenant's deployment says nothing about approval, yet waits for it, with the deadline.
  auto w = RunUntilSettled(Start("deployment", "t1", Site("Acme")).instance.id);
  ASSERT_EQ(w.instance.state, "approval");
  json stored = json::parse(w.instance.input_json);
  EXPECT_EQ(stored["require_approval"], true);
  EXPECT_EQ(stored["approval_timeout_s"], 600);
  EXPECT_EQ(EmuCount("deployment_created"), 0);
  clock_.Advance(std::chrono::seconds(601));
  w = RunUntilSettled(w.instance.id);
  ASSERT_EQ(w.instance.status, st::kFailed);
  EXPECT_EQ(ErrorOf(w)["state"], "approval_expired");

  // Ops may still decide per deployment: this one skips the gate.
  json in = Site("Hotfix");
  in["require_approval"] = false;
  auto hotfix = RunUntilSettled(Start("deployment", "t1", in).instance.id);
  EXPECT_EQ(hotfix.instance.status, st::kCompleted) << hotfix.instance.error_json;

  // Turned off again: a later deployment goes straight through.
  ASSERT_EQ(Settings("t1", {{"require_approval", false}}).instance.status, st::kCompleted);
  auto later = RunUntilSettled(Start("deployment", "t1", Site("Later")).instance.id);
  EXPECT_EQ(later.instance.status, st::kCompleted) << later.instance.error_json;
  EXPECT_EQ(json::parse(later.instance.input_json).count("require_approval"), 0u);
}

TEST_F(TenantSettingsTest, TheRecordsPolicyGatesOnlyThatTenant) {
  MakeTenant("t1");
  MakeTenant("t2");
  ASSERT_EQ(Settings("t1", {{"require_approval", true}}).instance.status, st::kCompleted);
  EXPECT_EQ(RunUntilSettled(Start("deployment", "t1", Site("A")).instance.id).instance.state,
            "approval");
  EXPECT_EQ(RunUntilSettled(Start("deployment", "t2", Site("B")).instance.id).instance.status,
            st::kCompleted);
}

TEST_F(TenantSettingsTest, LighthouseThresholdsReachTheTenantsDeployments) {
  MakeTenant("t1");
  json thresholds = {{"performance", 60}, {"seo", 90}};
  auto set = Settings("t1", {{"lighthouse_thresholds", thresholds}});
  ASSERT_EQ(set.instance.status, st::kCompleted) << set.instance.error_json;
  EXPECT_EQ(ResultOf(set)["lighthouse_thresholds"], thresholds);
  Result<TenantRecord> rec = TenantRecords(engine_->store()).Require("t1");
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->lighthouse_thresholds.at("seo"), 90);
  auto w = RunUntilSettled(Start("deployment", "t1", Site("Acme")).instance.id);
  EXPECT_EQ(w.instance.status, st::kCompleted) << w.instance.error_json;
  EXPECT_EQ(json::parse(w.instance.input_json)["lighthouse_thresholds"], thresholds);
  // {} puts the defaults back: later deployments carry no thresholds of their own.
  ASSERT_EQ(Settings("t1", {{"lighthouse_thresholds", json::object()}}).instance.status,
            st::kCompleted);
  auto later = RunUntilSettled(Start("deployment", "t1", Site("Later")).instance.id);
  EXPECT_EQ(json::parse(later.instance.input_json).count("lighthouse_thresholds"), 0u);
}

TEST_F(TenantSettingsTest, ATenantWithoutARecordFailsClearly) {
  auto w = Settings("ghost", {{"require_approval", true}});
  ASSERT_EQ(w.instance.status, st::kFailed);
  EXPECT_NE(w.instance.error_json.find("not onboarded"), std::string::npos)
      << w.instance.error_json;
}

TEST_F(TenantSettingsTest, InputIsValidated) {
  auto bad = [&](json in) {
    return engine_->Start({kTenantSettingsType, "t1", in, ""}, engine::Caller{"ops:bob"}).status();
  };
  EXPECT_EQ(bad(json::object()).field(), "input");
  EXPECT_EQ(bad({{"require_approval", "yes"}}).field(), "require_approval");
  EXPECT_EQ(bad({{"approval_timeout_s", 1e308}}).field(), "approval_timeout_s");
  EXPECT_EQ(bad({{"approval_timeout_s", -1}}).field(), "approval_timeout_s");
  EXPECT_EQ(bad({{"approval_timeout_s", kMaxApprovalTimeoutS + 1}}).field(), "approval_timeout_s");
  EXPECT_EQ(bad({{"branch", "main"}}).field(), "branch");
  EXPECT_EQ(bad({{"lighthouse_thresholds", {{"speed", 50}}}}).field(), "lighthouse_thresholds");
  EXPECT_EQ(bad({{"lighthouse_thresholds", {{"seo", 101}}}}).field(), "lighthouse_thresholds");
  EXPECT_EQ(bad({{"lighthouse_thresholds", 80}}).field(), "lighthouse_thresholds");
  // Found by fuzz_workflow_input: an empty key named no field.
  EXPECT_EQ(bad({{"", 4}}).field(), "input");
  EXPECT_EQ(bad({{std::string(10'000, 'k'), 4}}).field(), "input");
}

TEST(TenantRecordTest, PolicyRoundTripsAndIsOmittedWhenUnset) {
  TenantRecord r;
  r.tenant = "t1";
  EXPECT_FALSE(r.ToJson().contains("require_approval"));
  EXPECT_FALSE(r.ToJson().contains("approval_timeout_s"));
  r.require_approval = true;
  r.approval_timeout_s = 90;
  Result<TenantRecord> back = TenantRecord::FromJson(r.ToJson());
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->require_approval);
  EXPECT_EQ(back->approval_timeout_s, 90);
  EXPECT_EQ(TenantRecord::FromJson({{"require_approval", "yes"}}).status().code(),
            Code::kCorruption);
}

}  // namespace
}  // namespace slipway::workflows::testing
