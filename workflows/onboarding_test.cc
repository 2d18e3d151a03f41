// workflows/onboarding_test.cc: the onboarding workflow against the emulator: every step once,
// the tenant record, refusal of an existing tenant, resume after a failed step.
#include <gtest/gtest.h>

#include "engine/transition.h"
#include "workflows/activities/fanout_activity.h"
#include "workflows/activities/onboarding_activities.h"
#include "workflows/testing/workflow_fixture.h"

namespace slipway::workflows::testing {
namespace {

using nlohmann::json;
namespace st = engine::status;

class OnboardingTest : public WorkflowFixture {
 protected:
  json Input() { return {{"email", "owner@acme.test"}, {"name", "Acme"}}; }
};

TEST_F(OnboardingTest, HappyPathRunsEveryStepOnceAndWritesTheTenantRecord) {
  auto w = RunUntilSettled(Start("onboarding", "acme", Input()).instance.id);
  ASSERT_EQ(w.instance.status, st::kCompleted) << w.instance.error_json;
  for (const char* s : {"account", "repository", "webhook", "dev_project", "dev_deployment",
                        "dev_domain", "prod_project", "welcome_email", "record"}) {
    EXPECT_EQ(StepOf(w, s)["status"], "succeeded") << s;
    EXPECT_EQ(StepOf(w, s)["attempts"], 1) << s;
  }
  EXPECT_EQ(EmuCount("repo_created"), 1);
  EXPECT_EQ(EmuCount("project_created"), 2);
  EXPECT_EQ(EmuCount("deployment_created"), 1);
  EXPECT_EQ(EmuCount("domain_added", "acme-dev.sites.test"), 1);
  EXPECT_EQ(EmuCount("mail_sent"), 1);
  auto rec = registry_->tenants().Require("acme");
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->repo, "acme");
  EXPECT_EQ(rec->repo_full_name, "acme/acme");
  EXPECT_FALSE(rec->dev_project_id.empty());
  EXPECT_FALSE(rec->prod_project_id.empty());
  EXPECT_NE(rec->dev_project_id, rec->prod_project_id);
  EXPECT_EQ(rec->domains, std::vector<std::string>{"acme-dev.sites.test"});
  EXPECT_EQ(rec->branch, "production");  // cut from main by the first deployment
  EXPECT_EQ(rec->default_branch, "main");
  json r = ResultOf(w);
  EXPECT_EQ(r["dev_domain"], "acme-dev.sites.test");
  EXPECT_EQ(r["tenant_record"]["repo"], "acme");
  EXPECT_EQ(r["editor_access"]["minted"], false) << "no token store in this fixture";
  EXPECT_FALSE(r["tenant_record"].contains("editor_access"));
  EXPECT_EQ(r["welcome_email"]["to"], "owner@acme.test");
  EXPECT_EQ(*registry_->tenants().All(), std::vector<std::string>{"acme"});

  // The onboarded tenant deploys.
  auto d = RunUntilSettled(Start("deployment", "acme", {{"website_data", SiteData("A")}}).instance.id);
  EXPECT_EQ(d.instance.status, st::kCompleted) << d.instance.error_json;
  EXPECT_EQ(EmuCount("ref_created", "acme/acme"), 2);  // production + the work branch
}

TEST_F(OnboardingTest, TheRepositoryStepWaitsForGitHubToCopyTheTemplateWithoutAWorker) {
  // GitHub answers 201 before the template's contents are there: the default branch is
  // missing for three looks.
  Faults(R"({"rules":[{"method":"GET","path":"/repos/acme/slow/git/ref/heads/main",
             "status":404,"times":3}]})");
  const std::string id = Start("onboarding", "slow", Input()).instance.id;
  ASSERT_TRUE(engine_->RunDueWork().ok());
  auto w = Get(id);
  EXPECT_EQ(StepOf(w, "repository")["status"], "waiting");
  EXPECT_EQ(StepOf(w, "repository")["progress"]["state"], "generating");
  w = RunUntilSettled(id);
  ASSERT_EQ(w.instance.status, st::kCompleted) << w.instance.error_json;
  EXPECT_EQ(StepOf(w, "repository")["attempts"], 1);
  EXPECT_EQ(EmuCount("repo_created"), 1);
  EXPECT_EQ(ResultOf(w)["tenant_record"]["repo"], "slow");
  int progress = 0;
  auto h = engine_->History(id, 0, 0);
  for (const auto& e : *h) progress += e.type == "step_progress" && e.step == "repository";
  EXPECT_EQ(progress, 1);  // "generating" once, however many looks
}

TEST_F(OnboardingTest, AnExistingTenantIsRefused) {
  ASSERT_EQ(RunUntilSettled(Start("onboarding", "acme", Input()).instance.id).instance.status,
            st::kCompleted);
  auto again = RunUntilSettled(Start("onboarding", "acme", {{"email", "other@acme.test"}}).instance.id);
  ASSERT_EQ(again.instance.status, st::kFailed);
  EXPECT_EQ(ErrorOf(again)["step"], "account");
  EXPECT_NE(ErrorOf(again)["message"].get<std::string>().find("already exists"), std::string::npos);
  EXPECT_EQ(EmuCount("repo_created"), 1);
}

TEST_F(OnboardingTest, InputAndTenantIdAreValidated) {
  auto start = [&](const std::string& tenant, json in) {
    return engine_->Start({"onboarding", tenant, in, ""}, engine::Caller{"ops:bob"}).status();
  };
  EXPECT_EQ(start("acme", json::object()).field(), "email");
  EXPECT_EQ(start("acme", {{"email", "not-an-address"}}).field(), "email");
  EXPECT_EQ(start("Acme_Inc", Input()).field(), "tenant");
  EXPECT_EQ(start("-acme", Input()).field(), "tenant");
  EXPECT_EQ(start(std::string(40, 'a'), Input()).field(), "tenant");
}

TEST_F(OnboardingTest, FailedStepIsResumedWithoutRepeatingEarlierEffects) {
  Faults(R"({"rules": [{"method": "POST", "path": "/v11/projects", "status": 500}]})");
  auto w = RunUntilSettled(Start("onboarding", "acme", Input()).instance.id, 400);
  ASSERT_EQ(w.instance.status, st::kFailed);
  EXPECT_EQ(ErrorOf(w)["step"], "dev_project");
  EXPECT_EQ(StepOf(w, "dev_project")["attempts"], 10);
  emu_->faults().Clear();
  ASSERT_TRUE(engine_->Resume(w.instance.id, engine::Caller{"ops:alice"}).ok());
  w = RunUntilSettled(w.instance.id);
  ASSERT_EQ(w.instance.status, st::kCompleted) << w.instance.error_json;
  EXPECT_EQ(EmuCount("repo_created"), 1);
  EXPECT_EQ(EmuCount("project_created"), 2);
}

TEST_F(OnboardingTest, FailedOnboardingReleasesTheTenantToANewOneThatAdoptsItsEffects) {
  Faults(R"({"rules": [{"method": "POST", "path": "/v11/projects", "status": 500}]})");
  auto first = RunUntilSettled(Start("onboarding", "acme", Input(), "onb-1").instance.id, 400);
  ASSERT_EQ(first.instance.status, st::kFailed);
  ASSERT_EQ(ErrorOf(first)["step"], "dev_project");
  emu_->faults().Clear();

  auto second = RunUntilSettled(Start("onboarding", "acme", Input(), "onb-2").instance.id);
  ASSERT_EQ(second.instance.status, st::kCompleted) << second.instance.error_json;
  auto h = engine_->History("onb-2", 0, 0);
  ASSERT_TRUE(h.ok());
  json account;
  for (const auto& e : *h) {
    if (e.type == "step_succeeded" && e.step == "account") account = json::parse(e.data_json);
  }
  EXPECT_EQ(account["output"]["took_over_from"], "onb-1") << account;
  EXPECT_EQ(EmuCount("repo_created"), 1);  // the first attempt's repository, adopted
  EXPECT_EQ(EmuCount("project_created"), 2);
  EXPECT_EQ(EmuCount("mail_sent"), 1);
  auto rec = store_->GetRecord(kAccountNamespace, "acme");
  ASSERT_TRUE(rec.ok());
  json reservation = json::parse(rec->value_json);
  EXPECT_EQ(reservation["workflow"], "onb-2");
  EXPECT_EQ(reservation["previous_workflows"], json::array({"onb-1"}));

  // The superseded workflow, resumed by ops, no longer acts for the tenant.
  ASSERT_TRUE(engine_->Resume("onb-1", engine::Caller{"ops:alice"}).ok());
  first = RunUntilSettled("onb-1");
  ASSERT_EQ(first.instance.status, st::kFailed);
  EXPECT_EQ(ErrorOf(first)["step"], "dev_project");
  EXPECT_NE(ErrorOf(first)["message"].get<std::string>().find("onb-2"), std::string::npos)
      << ErrorOf(first);
  EXPECT_EQ(EmuCount("project_created"), 2);
  EXPECT_EQ(EmuCount("mail_sent"), 1);
}

TEST_F(OnboardingTest, CancelledOnboardingReleasesTheTenant) {
  Faults(R"({"rules": [{"method": "POST", "path": "/v11/projects", "status": 500}]})");
  Start("onboarding", "acme", Input(), "onb-1");
  ASSERT_TRUE(engine_->RunDueWork().ok());  // account and repository done, dev_project retrying
  ASSERT_EQ(StepOf(Get("onb-1"), "dev_project")["status"], "retrying");
  ASSERT_TRUE(engine_->Cancel("onb-1", engine::Caller{"ops:alice"}).ok());
  ASSERT_EQ(Get("onb-1").instance.status, st::kCancelled);
  emu_->faults().Clear();
  auto second = RunUntilSettled(Start("onboarding", "acme", Input(), "onb-2").instance.id);
  ASSERT_EQ(second.instance.status, st::kCompleted) << second.instance.error_json;
  EXPECT_EQ(EmuCount("repo_created"), 1);
  EXPECT_TRUE(registry_->tenants().Require("acme").ok());
}

TEST_F(OnboardingTest, ACompletedOnboardingStillRefusesAnotherAfterAFailedOne) {
  ASSERT_EQ(RunUntilSettled(Start("onboarding", "acme", Input(), "onb-1").instance.id)
                .instance.status, st::kCompleted);
  auto again = RunUntilSettled(Start("onboarding", "acme", Input(), "onb-2").instance.id);
  ASSERT_EQ(again.instance.status, st::kFailed);
  auto third = RunUntilSettled(Start("onboarding", "acme", Input(), "onb-3").instance.id);
  ASSERT_EQ(third.instance.status, st::kFailed);  // a failed holder never reopens a real tenant
  EXPECT_NE(ErrorOf(third)["message"].get<std::string>().find("already exists"),
            std::string::npos);
}

}  // namespace
}  // namespace slipway::workflows::testing
