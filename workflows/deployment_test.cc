// workflows/deployment_test.cc: the deployment workflow end to end against the emulator, with
// real build validations of the fast test site: happy path, build failures and resume, Vercel
// errors, pending domains, approvals.
#include <gtest/gtest.h>

#include <algorithm>

#include "engine/audit.h"
#include "engine/transition.h"
#include "workflows/testing/workflow_fixture.h"

namespace slipway::workflows::testing {
namespace {

using nlohmann::json;
namespace st = engine::status;

class DeploymentTest : public WorkflowFixture {
 protected:
  json Site(const std::string& name) { return {{"website_data", SiteData(name)}}; }
  bool HasEvent(const std::string& id, const std::string& type) {
    auto t = EventTypes(id);
    return std::find(t.begin(), t.end(), type) != t.end();
  }
};

TEST_F(DeploymentTest, HappyPathSavesValidatesDeploysAndReportsEveryStep) {
  MakeTenant("t1");
  auto w = Start("deployment", "t1", Site("Acme"));
  w = RunUntilSettled(w.instance.id);
  ASSERT_EQ(w.instance.status, st::kCompleted) << w.instance.error_json;
  for (const char* s : {"save", "validate", "deploy", "verify", "promote"}) {
    EXPECT_EQ(StepOf(w, s)["status"], "succeeded") << s;
    EXPECT_EQ(StepOf(w, s)["attempts"], 1) << s;
  }
  for (const char* s : {"autofix", "revalidate", "approval", "domain", "domain_wait", "rollback"}) {
    EXPECT_EQ(StepOf(w, s)["status"], "skipped") << s;
  }
  json r = ResultOf(w);
  EXPECT_FALSE(r["commits"]["saved"].get<std::string>().empty());
  EXPECT_EQ(r["commits"]["saved"], r["commits"]["deployed"]);
  EXPECT_FALSE(r["deployment"]["id"].get<std::string>().empty());
  EXPECT_NE(r["deployment"]["url"].get<std::string>().find("https://"), std::string::npos);
  EXPECT_TRUE(r["deployment"]["staged"].get<bool>());
  EXPECT_TRUE(r["deployment"]["promoted"].get<bool>());
  EXPECT_EQ(r["deployment"]["alias_job"], "succeeded");
  EXPECT_EQ(EmuCount("promoted"), 1);
  EXPECT_EQ(EmuCount("rolled_back"), 0);
  EXPECT_EQ(r["domain"]["status"], "none");
  EXPECT_EQ(r["fixes_applied"], 0);
  for (const char* s : {"save", "validate", "deploy", "verify"}) EXPECT_TRUE(r["durations_ms"].contains(s)) << s;
  EXPECT_EQ(EmuCount("commit", "acme/t1"), 1);
  EXPECT_EQ(EmuCount("deployment_created"), 1);
  for (const char* e : {"step_started:save", "step_succeeded:save", "step_started:validate",
                        "step_succeeded:validate", "step_started:deploy", "step_succeeded:deploy",
                        "step_succeeded:verify", "workflow_completed"}) {
    EXPECT_TRUE(HasEvent(w.instance.id, e)) << e;
  }
  EXPECT_TRUE(LastOutput(w.instance.id, "validate")["passed"].get<bool>());
  auto tenant = registry_->tenants().Require("t1");
  ASSERT_TRUE(tenant.ok());
  EXPECT_EQ(tenant->production_deployment, r["deployment"]["id"]);
}

TEST_F(DeploymentTest, ExplicitRefThatDoesNotExistFailsAtSave) {
  MakeTenant("t1");
  json in = Site("Acme");
  in["ref"] = "no-such-branch";
  auto w = RunUntilSettled(Start("deployment", "t1", in).instance.id);
  ASSERT_EQ(w.instance.status, st::kFailed);
  EXPECT_EQ(ErrorOf(w)["state"], "save_failed");
  EXPECT_NE(ErrorOf(w)["cause"]["message"].get<std::string>().find("no-such-branch does not exist"),
            std::string::npos) << ErrorOf(w);
  EXPECT_EQ(EmuCount("ref_created"), 0);
}

TEST_F(DeploymentTest, SameWebsiteDataTwiceMakesOneCommit) {
  MakeTenant("t1");
  auto a = RunUntilSettled(Start("deployment", "t1", Site("Acme")).instance.id);
  auto b = RunUntilSettled(Start("deployment", "t1", Site("Acme")).instance.id);
  ASSERT_EQ(a.instance.status, st::kCompleted);
  ASSERT_EQ(b.instance.status, st::kCompleted);
  EXPECT_EQ(EmuCount("commit", "acme/t1"), 1);
  EXPECT_EQ(ResultOf(b)["deployment"]["previous_id"], ResultOf(a)["deployment"]["id"]);
}

TEST_F(DeploymentTest, UnfixableErrorFailsWithParsedErrorsAndResumeAfterHumanFixCompletes) {
  MakeTenant("t1");
  SeedError("t1", "unfixable");
  auto w = RunUntilSettled(Start("deployment", "t1", Site("Acme")).instance.id);
  ASSERT_EQ(w.instance.status, st::kFailed);
  EXPECT_EQ(ErrorOf(w)["state"], "revalidate_failed");  // after two rounds that fixed nothing
  json err = ErrorOf(w)["cause"];
  EXPECT_EQ(StepOf(w, "autofix")["attempts"], 2);
  EXPECT_EQ(err["code"], "permanent");
  EXPECT_NE(err["message"].get<std::string>().find("src/custom.ts:1:"), std::string::npos) << err;
  EXPECT_NE(err["message"].get<std::string>().find("TS2307"), std::string::npos) << err;
  EXPECT_NE(err["message"].get<std::string>().find("after 2 autofix round"), std::string::npos);
  EXPECT_EQ(EmuCount("deployment_created"), 0);
  auto before = github_->GetBranchHead("t1", LastOutput(w.instance.id, "save")["branch"]);
  ASSERT_TRUE(before.ok());
  // The same error as data, for the editor: what GET /v1/workflows/{id} serves.
  json details = w.ToJson()["error"]["cause"]["details"];
  ASSERT_TRUE(details.is_object()) << err;
  EXPECT_EQ(details["sha"], *before);  // autofix found nothing to commit: the saved head
  EXPECT_EQ(details["autofix_rounds"], 2);
  ASSERT_GE(details["errors"].size(), 1u) << details;
  EXPECT_EQ(details["error_count"], details["errors"].size());
  json first = details["errors"][0];
  EXPECT_EQ(first["file"], "src/custom.ts") << first;
  EXPECT_EQ(first["line"], 1);
  EXPECT_GT(first["column"].get<int>(), 0);
  EXPECT_EQ(first["code"], "TS2307");
  EXPECT_EQ(first["tool"], "tsc");
  EXPECT_FALSE(first["message"].get<std::string>().empty());
  // Each failing build shows as failed, with its errors; autofix ran in between.
  json validate = StepOf(w, "validate");
  EXPECT_EQ(validate["status"], "failed");
  EXPECT_EQ(validate["error"]["details"]["errors"][0]["file"], "src/custom.ts") << validate;
  EXPECT_EQ(StepOf(w, "autofix")["status"], "succeeded");
  EXPECT_EQ(StepOf(w, "revalidate")["status"], "failed");
  EXPECT_EQ(StepOf(w, "revalidate")["error"]["details"], details);
  auto types = EventTypes(w.instance.id);
  auto routed = std::find(types.begin(), types.end(), "step_succeeded:validate");
  ASSERT_NE(routed, types.end());  // routed as an output, not retried as an error
  EXPECT_NE(std::find(routed, types.end(), "step_started:autofix"), types.end());
  auto history = engine_->History(w.instance.id, 0, 0);
  ASSERT_TRUE(history.ok());
  EXPECT_TRUE(engine::VerifyChain(*history).ok());

  const std::string work = LastOutput(w.instance.id, "save")["branch"];
  HumanCommitTo("t1", work, "src/custom.ts", "export const custom = 1;\n");
  auto head = github_->GetBranchHead("t1", work);
  ASSERT_TRUE(head.ok());
  ASSERT_NE(*head, *before);
  ASSERT_TRUE(engine_->Resume(w.instance.id, engine::Caller{"ops:alice"}).ok());
  w = RunUntilSettled(w.instance.id);
  ASSERT_EQ(w.instance.status, st::kCompleted) << w.instance.error_json;
  EXPECT_EQ(LastOutput(w.instance.id, "revalidate")["sha"], *head);
  EXPECT_EQ(ResultOf(w)["commits"]["deployed"], *head);
  EXPECT_TRUE(HasEvent(w.instance.id, "workflow_resumed:revalidate"));
  EXPECT_EQ(StepOf(w, "revalidate")["status"], "succeeded");
  EXPECT_EQ(StepOf(w, "validate")["status"], "failed");  // what happened, kept
  EXPECT_TRUE(w.ToJson()["error"].is_null());
}

TEST_F(DeploymentTest, FixableBuildErrorIsAutofixedRevalidatedAndDeployed) {
  MakeTenant("t1");
  SeedError("t1", "fixable");
  auto w = RunUntilSettled(Start("deployment", "t1", Site("Acme")).instance.id);
  ASSERT_EQ(w.instance.status, st::kCompleted) << w.instance.error_json;
  for (const char* s : {"save", "autofix", "revalidate", "deploy", "verify"}) {
    EXPECT_EQ(StepOf(w, s)["status"], "succeeded") << s;
  }
  EXPECT_EQ(StepOf(w, "validate")["status"], "failed");  // it routed to autofix
  EXPECT_EQ(StepOf(w, "validate")["error"]["details"]["errors"][0]["code"], "TS2322");
  EXPECT_FALSE(LastOutput(w.instance.id, "validate")["passed"].get<bool>());
  EXPECT_EQ(LastOutput(w.instance.id, "validate")["errors"][0]["code"], "TS2322");
  json fix = LastOutput(w.instance.id, "autofix");
  EXPECT_TRUE(fix["committed"].get<bool>()) << fix;
  EXPECT_FALSE(fix["autofix"]["reply"].get<std::string>().empty());  // for auditors
  json r = ResultOf(w);
  EXPECT_EQ(r["fixes_applied"], 1);
  ASSERT_EQ(r["commits"]["autofix"].size(), 1u);
  EXPECT_EQ(r["commits"]["deployed"], r["commits"]["autofix"][0]);
  EXPECT_GT(r["llm"]["input_tokens"].get<int64_t>(), 0);
  EXPECT_GT(r["llm"]["cost_usd"].get<double>(), 0.0);
  auto site = github_->GetFile("t1", "src/site.ts", "production");  // after the fast forward
  ASSERT_TRUE(site.ok() && site->has_value());
  EXPECT_NE((*site)->content.find("number = 3;"), std::string::npos) << (*site)->content;
  EXPECT_EQ(EmuCount("message"), 1);  // one LLM call
}

TEST_F(DeploymentTest, VercelBuildErrorFailsAtOnceWithOneDeploymentAndResumeMakesANewOne) {
  MakeTenant("t1");
  Faults(R"({"failing_projects": ["t1"]})");  // the emulated Vercel build ends in ERROR
  auto w = RunUntilSettled(Start("deployment", "t1", Site("Acme")).instance.id);
  ASSERT_EQ(w.instance.status, st::kFailed);
  json err = ErrorOf(w);
  EXPECT_EQ(err["state"], "deploy_failed") << err;
  json cause = err["cause"];
  EXPECT_EQ(cause["code"], "permanent") << cause;
  const std::string message = cause["message"];
  EXPECT_NE(message.find("ended in ERROR: BUILD_FAILED"), std::string::npos) << message;
  EXPECT_EQ(cause["details"]["ready_state"], "ERROR") << cause;
  EXPECT_EQ(cause["details"]["error_code"], "BUILD_FAILED") << cause;
  const std::string id = cause["details"]["deployment_id"];
  EXPECT_NE(message.find(id), std::string::npos) << message;
  EXPECT_EQ(StepOf(w, "deploy")["attempts"], 1);  // a build error is not retried
  EXPECT_EQ(EmuCount("deployment_created"), 1);   // one deployment, not one per retry
  EXPECT_EQ(EmuCount("promoted"), 0);

  emu_->faults().Clear();
  ASSERT_TRUE(engine_->Resume(w.instance.id, engine::Caller{"ops:alice"}).ok());
  w = RunUntilSettled(w.instance.id);
  ASSERT_EQ(w.instance.status, st::kCompleted) << w.instance.error_json;
  EXPECT_EQ(EmuCount("deployment_created"), 2);  // resume: a new key, a new deployment
  EXPECT_NE(ResultOf(w)["deployment"]["id"], id);
  EXPECT_EQ(StepOf(w, "validate")["attempts"], 1);  // resume re-ran deploy only
}

TEST_F(DeploymentTest, FailedVerifyLeavesProductionAsItWasWithTheStagedDeploymentInTheError) {
  MakeTenant("t1");
  auto good = RunUntilSettled(Start("deployment", "t1", Site("Good")).instance.id);
  ASSERT_EQ(good.instance.status, st::kCompleted) << good.instance.error_json;
  const std::string d1 = ResultOf(good)["deployment"]["id"];
  EXPECT_TRUE(LastOutput(good.instance.id, "verify")["passed"].get<bool>());
  HumanCommit("t1", "pages/index.tsx",
              "export default function Home() { return <a href=\"/no-such-page\">x</a>; }\n");
  auto bad = RunUntilSettled(Start("deployment", "t1", Site("Broken")).instance.id);
  ASSERT_EQ(bad.instance.status, st::kFailed);
  json err = ErrorOf(bad);
  EXPECT_EQ(err["state"], "verify_failed") << err;
  const std::string why = err["cause"]["message"];
  EXPECT_NE(why.find("broken link"), std::string::npos) << err;
  EXPECT_NE(why.find("/no-such-page"), std::string::npos) << err;
  json details = err["cause"]["details"];
  const std::string staged = LastOutput(bad.instance.id, "deploy")["deployment_id"];
  ASSERT_FALSE(staged.empty());
  EXPECT_NE(staged, d1);
  EXPECT_EQ(details["staged_deployment_id"], staged) << details;
  EXPECT_EQ(details["production"], "unchanged");
  EXPECT_FALSE(details["reason"].get<std::string>().empty());
  EXPECT_NE(details["verify"]["broken_links"][0]["href"].get<std::string>().find("/no-such-page"),
            std::string::npos) << details;
  // Nothing to roll back: the staged deployment never served production.
  EXPECT_EQ(StepOf(bad, "promote")["status"], "pending");
  EXPECT_EQ(EmuCount("rolled_back"), 0);
  EXPECT_EQ(EmuCount("promoted"), 1);  // the good release's only
  auto p = vercel_->GetProject(registry_->tenants().Require("t1")->prod_project_id);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->production_deployment_id, d1);
  EXPECT_EQ(registry_->tenants().Require("t1")->production_deployment, d1);
  auto staged_d = vercel_->GetDeployment(staged);
  ASSERT_TRUE(staged_d.ok());
  EXPECT_EQ(staged_d->ready_substate, "STAGED");
}

TEST_F(DeploymentTest, ApprovalApproveContinues) {
  MakeTenant("t1");
  json in = Site("Acme");
  in["require_approval"] = true;
  auto w = RunUntilSettled(Start("deployment", "t1", in).instance.id);
  ASSERT_EQ(w.instance.status, st::kWaiting);
  EXPECT_EQ(w.instance.state, "approval");
  EXPECT_EQ(EmuCount("deployment_created"), 0);
  ASSERT_TRUE(engine_->Signal(w.instance.id, "approve", json::object(), engine::Caller{"tenant:t1"}).ok());
  w = RunUntilSettled(w.instance.id);
  ASSERT_EQ(w.instance.status, st::kCompleted) << w.instance.error_json;
  EXPECT_EQ(StepOf(w, "approval")["status"], "succeeded");
  EXPECT_EQ(EmuCount("deployment_created"), 1);
}

TEST_F(DeploymentTest, ApprovalRejectEndsIt) {
  MakeTenant("t1");
  json in = Site("Acme");
  in["require_approval"] = true;
  auto w = RunUntilSettled(Start("deployment", "t1", in).instance.id);
  ASSERT_EQ(w.instance.state, "approval");
  ASSERT_TRUE(engine_->Signal(w.instance.id, "reject", json::object(), engine::Caller{"tenant:t1"}).ok());
  w = RunUntilSettled(w.instance.id);
  ASSERT_EQ(w.instance.status, st::kFailed);
  EXPECT_EQ(ErrorOf(w)["state"], "rejected");
  EXPECT_EQ(EmuCount("deployment_created"), 0);
}

TEST_F(DeploymentTest, ApprovalDeadlinePassesWithoutDecision) {
  MakeTenant("t1");
  json in = Site("Acme");
  in["require_approval"] = true;
  in["approval_timeout_s"] = 600;
  auto w = RunUntilSettled(Start("deployment", "t1", in).instance.id);
  ASSERT_EQ(w.instance.state, "approval");
  clock_.Advance(std::chrono::seconds(601));
  w = RunUntilSettled(w.instance.id);
  ASSERT_EQ(w.instance.status, st::kFailed);
  EXPECT_EQ(ErrorOf(w)["state"], "approval_expired");
}

TEST_F(DeploymentTest, CancelWhileAwaitingApproval) {
  MakeTenant("t1");
  json in = Site("Acme");
  in["require_approval"] = true;
  auto w = RunUntilSettled(Start("deployment", "t1", in).instance.id);
  ASSERT_EQ(w.instance.state, "approval");
  auto c = engine_->Cancel(w.instance.id, engine::Caller{"tenant:t1"});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(Get(w.instance.id).instance.status, st::kCancelled);
  // The tenant's queue moves on: the next deployment runs.
  auto next = RunUntilSettled(Start("deployment", "t1", Site("Next")).instance.id);
  EXPECT_EQ(next.instance.status, st::kCompleted);
}

TEST_F(DeploymentTest, SecondDeploymentOfATenantQueuesBehindTheFirst) {
  MakeTenant("t1");
  json in = Site("One");
  in["require_approval"] = true;
  auto first = RunUntilSettled(Start("deployment", "t1", in).instance.id);
  ASSERT_EQ(first.instance.status, st::kWaiting);
  auto second = Start("deployment", "t1", Site("Two"));
  ASSERT_TRUE(engine_->RunDueWork().ok());
  second = Get(second.instance.id);
  EXPECT_EQ(second.instance.status, st::kQueued);
  EXPECT_EQ(second.queued_behind, first.instance.id);
  ASSERT_TRUE(engine_->Signal(first.instance.id, "approve", json::object(), engine::Caller{"tenant:t1"}).ok());
  RunAll({first.instance.id, second.instance.id});
  EXPECT_EQ(Get(first.instance.id).instance.status, st::kCompleted);
  EXPECT_EQ(Get(second.instance.id).instance.status, st::kCompleted);
}

TEST_F(DeploymentTest, DeployWhoseOutcomeWasLostIsTakenOverAfterARestartNotRepeated) {
  MakeTenant("t1");
  json in = Site("Acme");
  in["require_approval"] = true;
  auto w = RunUntilSettled(Start("deployment", "t1", in).instance.id);
  ASSERT_EQ(w.instance.state, "approval");
  // The deployment is made, then the process "dies" before its outcome is recorded.
  ASSERT_TRUE(failpoints_.Arm("activity.after_call_before_record", "error*1").ok());
  ASSERT_TRUE(engine_->Signal(w.instance.id, "approve", json::object(), engine::Caller{"tenant:t1"}).ok());
  ASSERT_TRUE(engine_->RunDueWork().ok());
  EXPECT_EQ(EmuCount("deployment_created"), 1);
  EXPECT_EQ(Get(w.instance.id).instance.status, st::kRunning);
  MakeEngine();  // a restart; the leased task is run again once its lease has expired
  w = RunUntilSettled(w.instance.id, 200, 5000);
  ASSERT_EQ(w.instance.status, st::kCompleted) << w.instance.error_json;
  EXPECT_EQ(StepOf(w, "deploy")["attempts"], 2);
  EXPECT_EQ(EmuCount("deployment_created"), 1);
}

TEST_F(DeploymentTest, InputIsValidated) {
  auto bad = [&](json in) {
    return engine_->Start({"deployment", "t1", in, ""}, engine::Caller{"tenant:t1"}).status();
  };
  EXPECT_EQ(bad({{"website_data", "x"}}).field(), "website_data");
  EXPECT_EQ(bad({{"custom_domain", "not a host"}}).field(), "custom_domain");
  EXPECT_EQ(bad({{"require_approval", "yes"}}).field(), "require_approval");
  EXPECT_EQ(bad({{"approval_timeout_s", -1}}).field(), "approval_timeout_s");
  EXPECT_EQ(bad({{"max_autofix_rounds", 9}}).field(), "max_autofix_rounds");
}

TEST_F(DeploymentTest, UnknownTenantFailsAtSave) {
  auto w = RunUntilSettled(Start("deployment", "ghost", Site("Acme")).instance.id);
  ASSERT_EQ(w.instance.status, st::kFailed);
  EXPECT_EQ(ErrorOf(w)["state"], "save_failed");
  EXPECT_NE(ErrorOf(w)["cause"]["message"].get<std::string>().find("not onboarded"),
            std::string::npos);
  // save_failed is resumable: once the tenant exists, resume re-runs save and goes on.
  MakeTenant("ghost");
  ASSERT_TRUE(engine_->Resume(w.instance.id, engine::Caller{"ops:alice"}).ok());
  w = RunUntilSettled(w.instance.id);
  ASSERT_EQ(w.instance.status, st::kCompleted) << w.instance.error_json;
  EXPECT_TRUE(HasEvent(w.instance.id, "workflow_resumed:save"));
}

}  // namespace
}  // namespace slipway::workflows::testing
