// workflows/domain_transfer_test.cc: the ops domain transfer moves a custom domain in our
// records and on Vercel (the emulator): off the previous owner's production project, onto the
// new owner's, each step in history; every step may run again after a crash without failing
// or undoing anything.
#include <gtest/gtest.h>

#include "workflows/activities/domain_move_activities.h"
#include "workflows/domain_records.h"
#include "workflows/domain_transfer_workflow.h"
#include "workflows/testing/workflow_fixture.h"

namespace slipway::workflows::testing {
namespace {

using nlohmann::json;
namespace st = engine::status;

constexpr const char* kDomain = "www.moving-site.com";

class DomainTransferTest : public WorkflowFixture {
 protected:
  std::string ProjectOf(const std::string& tenant) {
    return registry_->tenants().Require(tenant)->prod_project_id;
  }
  // t1 owns kDomain (record and Vercel), as after its deployment with that custom_domain.
  void OwnedByT1() {
    MakeTenant("t1");
    MakeTenant("t2");
    DomainRecords domains(*store_);
    ASSERT_TRUE(domains.Claim(kDomain, "t1", "wf-deploy-t1").ok());
    ASSERT_TRUE(vercel_->AddDomain(ProjectOf("t1"), kDomain).ok());
  }
  engine::Workflow Transfer(const std::string& to) {
    auto w = engine_->Start({"domain_transfer", to, {{"domain", kDomain}}, ""},
                            engine::Caller{"ops:alice"});
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return *w;
  }
  bool OnProject(const std::string& tenant) {
    return vercel_->GetDomain(ProjectOf(tenant), kDomain).ok();
  }
  engine::ActivityCall StepCall(const std::string& step, const std::string& previous) {
    engine::ActivityCall call;
    call.workflow_id = "wf-move";
    call.workflow_type = kDomainTransferType;
    call.tenant = "t2";
    call.step = step;
    call.idempotency_key = "wf-move/" + step;
    call.input = {{"domain", kDomain}};
    call.outputs = {{"transfer", {{"domain", kDomain}, {"tenant", "t2"},
                                  {"previous_tenant", previous}}}};
    return call;
  }
};

TEST_F(DomainTransferTest, MovesTheDomainOffTheOldProjectOntoTheNewOneAndRecordsEachStep) {
  OwnedByT1();
  ASSERT_TRUE(OnProject("t1"));
  auto w = RunUntilSettled(Transfer("t2").instance.id);
  ASSERT_EQ(w.instance.status, st::kCompleted) << w.instance.error_json;
  EXPECT_FALSE(OnProject("t1"));
  EXPECT_TRUE(OnProject("t2"));
  EXPECT_EQ(EmuCount("domain_removed", kDomain), 1);
  EXPECT_EQ(EmuCount("domain_added", kDomain), 2);  // t1's, then t2's
  DomainRecords domains(*store_);
  EXPECT_EQ(domains.Owner(kDomain)->value_or(""), "t2");

  const json r = ResultOf(w);
  EXPECT_EQ(r["previous_tenant"], "t1");
  EXPECT_EQ(r["detached"]["project_id"], ProjectOf("t1"));
  EXPECT_EQ(r["detached"]["removed"], true);
  EXPECT_EQ(r["attached"]["project_id"], ProjectOf("t2"));
  EXPECT_EQ(r["attached"]["created"], true);
  EXPECT_EQ(r["attached"]["verified"], false);  // until t2's DNS proves it
  EXPECT_FALSE(r["attached"]["dns_records"].empty());
  for (const char* step : {"transfer", "detach", "attach"}) {
    EXPECT_EQ(StepOf(w, step)["status"], "succeeded") << step;
  }
  // t1 can no longer claim it; t2's deployments may use it.
  EXPECT_EQ(domains.Claim(kDomain, "t1", "wf-x").code(), Code::kPermanent);
  EXPECT_TRUE(domains.Claim(kDomain, "t2", "wf-y").ok());
}

// The process dies after the record moved but before the step's outcome was recorded: the
// step runs again and still names t1 as the previous owner, so detach takes the domain off
// t1's project (a retry that saw "t2 owns it already" would leave it there).
TEST_F(DomainTransferTest, ARepeatedTransferStillKnowsThePreviousOwner) {
  OwnedByT1();
  ASSERT_TRUE(failpoints_.Arm("activity.after_call_before_record", "error*1").ok());
  const std::string id = Transfer("t2").instance.id;
  ASSERT_TRUE(engine_->RunDueWork().ok());
  MakeEngine();  // a restart; the leased task runs again once its lease has expired
  auto w = RunUntilSettled(id, 200, 5000);
  ASSERT_EQ(w.instance.status, st::kCompleted) << w.instance.error_json;
  EXPECT_EQ(StepOf(w, "transfer")["attempts"], 2);
  EXPECT_EQ(ResultOf(w)["previous_tenant"], "t1");
  EXPECT_EQ(ResultOf(w)["detached"]["removed"], true);
  EXPECT_FALSE(OnProject("t1"));
  EXPECT_TRUE(OnProject("t2"));
}

// Detach and attach repeated after a crash that followed their effect: the second run finds
// the domain already removed / already added and succeeds without another effect.
TEST_F(DomainTransferTest, DetachAndAttachRepeatedAfterTheirEffectSucceedWithoutAnother) {
  OwnedByT1();
  DomainDetachActivity detach(registry_->deps(), registry_->tenants());
  DomainAttachActivity attach(registry_->deps(), registry_->tenants());
  for (int run = 0; run < 2; ++run) {
    Result<json> d = detach.Run(StepCall("detach", "t1"));
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    EXPECT_EQ((*d)["removed"], run == 0) << run;
    Result<json> a = attach.Run(StepCall("attach", "t1"));
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    EXPECT_EQ((*a)["created"], run == 0) << run;
  }
  EXPECT_EQ(EmuCount("domain_removed", kDomain), 1);
  EXPECT_EQ(EmuCount("domain_added", kDomain), 2);
  EXPECT_FALSE(OnProject("t1"));
  EXPECT_TRUE(OnProject("t2"));
}

// Nobody owned it, or the new owner is not onboarded: the missing side is skipped, said so.
TEST_F(DomainTransferTest, AMissingSideIsSkippedAndSaysWhy) {
  MakeTenant("t2");
  auto w = RunUntilSettled(Transfer("t2").instance.id);
  ASSERT_EQ(w.instance.status, st::kCompleted) << w.instance.error_json;
  EXPECT_EQ(ResultOf(w)["previous_tenant"], "");
  EXPECT_TRUE(ResultOf(w)["detached"].contains("skipped"));
  EXPECT_TRUE(OnProject("t2"));
  EXPECT_EQ(EmuCount("domain_removed"), 0);

  auto ghost = RunUntilSettled(Transfer("ghost").instance.id);
  ASSERT_EQ(ghost.instance.status, st::kCompleted) << ghost.instance.error_json;
  EXPECT_EQ(ResultOf(ghost)["previous_tenant"], "t2");
  EXPECT_EQ(ResultOf(ghost)["detached"]["removed"], true);
  EXPECT_TRUE(ResultOf(ghost)["attached"].contains("skipped"));
  EXPECT_FALSE(OnProject("t2"));
}

}  // namespace
}  // namespace slipway::workflows::testing
