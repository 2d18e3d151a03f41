// workflows/release_test.cc: how a deployment releases, end to end against the emulator: the
// work branch and the production branch's compare-and-set, staged production and promotion,
// custom domains watched off the tenant's queue, and pushes that never deploy on their own.
#include <gtest/gtest.h>

#include <chrono>

#include "workflows/activities/deploy_activity.h"
#include "workflows/testing/workflow_fixture.h"

namespace slipway::workflows::testing {
namespace {

using nlohmann::json;
namespace st = engine::status;

class ReleaseTest : public WorkflowFixture {
 protected:
  json Site(const std::string& name) { return {{"website_data", SiteData(name)}}; }
  // The project's deployments as Vercel lists them (GET /v7/deployments).
  json Deployments(const std::string& project_id) {
    activities::HttpRequest req;
    req.url = emu_->base_url() + "/v7/deployments?projectId=" + project_id + "&limit=100";
    req.headers.Add("Authorization", "Bearer " + config_.vercel.token);
    auto got = http_->Send(req);
    EXPECT_TRUE(got.ok() && got->status == 200);
    return got.ok() ? json::parse(got->body)["deployments"] : json::array();
  }
};

TEST_F(ReleaseTest, SaveLandsOnAWorkBranchAndProductionFastForwardsAfterVerify) {
  MakeTenant("t1");
  HumanCommit("t1", "notes.md", "made on main before any deployment\n");
  auto main_head = github_->GetBranchHead("t1", "main");
  ASSERT_TRUE(main_head.ok());
  ASSERT_EQ(github_->GetBranchHead("t1", "production").status().code(), Code::kNotFound);
  auto w = RunUntilSettled(Start("deployment", "t1", Site("Acme"), "t1:deploy-1").instance.id);
  ASSERT_EQ(w.instance.status, st::kCompleted) << w.instance.error_json;
  json save = LastOutput(w.instance.id, "save");
  // The work branch: the workflow id "t1:deploy-1" as a ref ("t1:" mapped to "t1/").
  EXPECT_EQ(save["branch"], "slipway/t1/deploy-1");
  EXPECT_EQ(save["production_branch"], "production");
  EXPECT_TRUE(save["branch_created"].get<bool>());  // production, cut from main once
  EXPECT_EQ(save["base_sha"], *main_head);
  EXPECT_EQ(EmuCount("ref_created", "acme/t1"), 2);  // production + the work branch
  EXPECT_EQ(EmuCount("commit", "acme/t1"), 2);  // the human's on main, the save on the work branch
  // production, fast-forwarded to it after verify; then main, the editor's branch
  EXPECT_EQ(EmuCount("branch_moved", "acme/t1"), 2);
  auto work_head = github_->GetBranchHead("t1", "slipway/t1/deploy-1");
  auto prod_head = github_->GetBranchHead("t1", "production");
  ASSERT_TRUE(work_head.ok() && prod_head.ok());
  EXPECT_EQ(*prod_head, *work_head);
  EXPECT_EQ(*github_->GetBranchHead("t1", "main"), *prod_head);
  auto commit = github_->GetCommit("t1", *prod_head);
  ASSERT_TRUE(commit.ok());
  EXPECT_EQ(commit->parents, std::vector<std::string>{*main_head});
  auto on_prod = github_->GetFile("t1", "websiteData.json", "production");
  ASSERT_TRUE(on_prod.ok() && on_prod->has_value());
  EXPECT_NE((*on_prod)->content.find("Acme"), std::string::npos) << (*on_prod)->content;
  json r = ResultOf(w);
  EXPECT_EQ(r["commits"]["deployed"], *prod_head);
  EXPECT_EQ(r["branches"]["work"], "slipway/t1/deploy-1");
  EXPECT_EQ(r["branches"]["production"], "production");
  EXPECT_EQ(r["branches"]["production_was"], *main_head);
  EXPECT_TRUE(r["branches"]["production_moved"].get<bool>());
  // Vercel built the work branch at that sha.
  activities::HttpRequest req;
  req.url = emu_->base_url() + "/v13/deployments/" + r["deployment"]["id"].get<std::string>();
  req.headers.Add("Authorization", "Bearer " + config_.vercel.token);
  auto got = http_->Send(req);
  ASSERT_TRUE(got.ok() && got->status == 200) << (got.ok() ? got->body : got.status().ToString());
  json git = json::parse(got->body)["gitSource"];
  EXPECT_EQ(git["ref"], "slipway/t1/deploy-1") << git;
  EXPECT_EQ(git["sha"], *prod_head) << git;

  // The next deployment cuts its own work branch from production; production is not cut again.
  auto next = RunUntilSettled(Start("deployment", "t1", Site("Acme 2"), "t1:deploy-2").instance.id);
  ASSERT_EQ(next.instance.status, st::kCompleted) << next.instance.error_json;
  EXPECT_FALSE(LastOutput(next.instance.id, "save")["branch_created"].get<bool>());
  EXPECT_EQ(LastOutput(next.instance.id, "save")["base_sha"], *prod_head);
  EXPECT_EQ(EmuCount("ref_created", "acme/t1"), 3);
  auto after = github_->GetCommit("t1", *github_->GetBranchHead("t1", "production"));
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->parents, std::vector<std::string>{*prod_head});
}

TEST_F(ReleaseTest, FailedVerifyNeverReachesTheProductionBranch) {
  MakeTenant("t1");
  auto good = RunUntilSettled(Start("deployment", "t1", Site("Good")).instance.id);
  ASSERT_EQ(good.instance.status, st::kCompleted) << good.instance.error_json;
  auto before = github_->GetBranchHead("t1", "production");
  ASSERT_TRUE(before.ok());
  // A broken page pushed to main, deployed from there (input.ref): cut, built, staged, verified.
  HumanCommitTo("t1", "main", "pages/index.tsx",
                "export default function Home() { return <a href=\"/gone\">x</a>; }\n");
  json in = Site("Broken");
  in["ref"] = "main";
  auto bad = Start("deployment", "t1", in, "t1:broken");
  bad = RunUntilSettled(bad.instance.id);
  ASSERT_EQ(bad.instance.status, st::kFailed);
  EXPECT_EQ(ErrorOf(bad)["state"], "verify_failed") << ErrorOf(bad);
  EXPECT_EQ(*github_->GetBranchHead("t1", "production"), *before);
  EXPECT_EQ(EmuCount("branch_moved", "acme/t1"), 2);  // the good release's (production, main)
}

TEST_F(ReleaseTest, HumanPushToProductionDuringADeploymentFailsBeforeAnythingIsLive) {
  MakeTenant("t1");
  auto first = RunUntilSettled(Start("deployment", "t1", Site("One")).instance.id);
  ASSERT_EQ(first.instance.status, st::kCompleted) << first.instance.error_json;
  const std::string live = ResultOf(first)["deployment"]["id"];
  json in = Site("Two");
  in["require_approval"] = true;
  auto w = RunUntilSettled(Start("deployment", "t1", in).instance.id);
  ASSERT_EQ(w.instance.state, "approval");
  const std::string base = LastOutput(w.instance.id, "save")["base_sha"];
  HumanCommit("t1", "notes.md", "pushed straight to production\n");
  auto pushed = github_->GetBranchHead("t1", "production");
  ASSERT_TRUE(pushed.ok());
  ASSERT_NE(*pushed, base);
  ASSERT_TRUE(engine_->Signal(w.instance.id, "approve", json::object(),
                              engine::Caller{"ops:alice"}).ok());
  w = RunUntilSettled(w.instance.id);
  ASSERT_EQ(w.instance.status, st::kFailed);
  json err = ErrorOf(w);
  EXPECT_EQ(err["state"], "promote_failed") << err;
  const std::string why = err["cause"]["message"];
  EXPECT_NE(why.find(*pushed), std::string::npos) << why;  // both shas named
  EXPECT_NE(why.find(base), std::string::npos) << why;
  EXPECT_NE(why.find("Nothing was promoted"), std::string::npos) << why;
  EXPECT_EQ(err["cause"]["details"]["expected_sha"], base);
  EXPECT_EQ(StepOf(w, "verify")["status"], "succeeded");
  // The human's commit is kept, production still serves the first release.
  EXPECT_EQ(*github_->GetBranchHead("t1", "production"), *pushed);
  auto p = vercel_->GetProject(registry_->tenants().Require("t1")->prod_project_id);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->production_deployment_id, live);
  EXPECT_EQ(EmuCount("promoted"), 1);
}

TEST_F(ReleaseTest, PendingDomainDoesNotHoldTheQueueAndItsWatchCompletesOnceVerified) {
  MakeTenant("t1");
  json in = Site("Acme");
  in["custom_domain"] = "www.acme-t1.com";
  auto w = RunUntilSettled(Start("deployment", "t1", in, "t1:with-domain").instance.id);
  ASSERT_EQ(w.instance.status, st::kCompleted) << w.instance.error_json;
  json r = ResultOf(w);
  EXPECT_EQ(r["domain"]["status"], "pending");
  EXPECT_EQ(r["domain"]["name"], "www.acme-t1.com");
  ASSERT_FALSE(r["domain"]["dns_records"].empty());
  EXPECT_EQ(r["domain"]["dns_records"][0]["type"], "TXT");
  const std::string watch_id = r["domain"]["watch_id"];
  EXPECT_EQ(watch_id, "t1:with-domain:domain");
  EXPECT_TRUE(r["deployment"]["promoted"].get<bool>());
  EXPECT_EQ(EmuCount("domain_added"), 1);
  auto watch = Get(watch_id);
  EXPECT_EQ(watch.instance.type, "domain_watch");
  EXPECT_NE(watch.instance.status, st::kCompleted);
  // The tenant's queue moves on at once, the watch running beside it.
  auto next = RunUntilSettled(Start("deployment", "t1", Site("Next")).instance.id);
  EXPECT_EQ(next.instance.status, st::kCompleted) << next.instance.error_json;

  VerifyDomainAtEmulator("www.acme-t1.com");
  for (int i = 0; i < 10 && Get(watch_id).instance.status != st::kCompleted; ++i) {
    clock_.Advance(std::chrono::minutes(2));
    ASSERT_TRUE(engine_->RunDueWork().ok());
  }
  watch = Get(watch_id);
  ASSERT_EQ(watch.instance.status, st::kCompleted) << watch.instance.error_json;
  EXPECT_EQ(ResultOf(watch)["status"], "verified");
  EXPECT_EQ(EmuCount("domain_added"), 1);
}

TEST_F(ReleaseTest, DomainWatchDeadlineFailsClearlyWithProductionStillVerified) {
  MakeTenant("t1");
  json in = Site("Acme");
  in["custom_domain"] = "www.late-t1.com";
  auto w = RunUntilSettled(Start("deployment", "t1", in, "t1:late").instance.id);
  ASSERT_EQ(w.instance.status, st::kCompleted) << w.instance.error_json;
  const std::string live = ResultOf(w)["deployment"]["id"];
  const std::string watch_id = ResultOf(w)["domain"]["watch_id"];
  // options_.domain_deadline_ms is an hour: rechecks back off, then the watch gives up.
  for (int i = 0; i < 40 && Get(watch_id).instance.status != st::kFailed; ++i) {
    clock_.Advance(std::chrono::minutes(5));
    ASSERT_TRUE(engine_->RunDueWork().ok());
  }
  auto watch = Get(watch_id);
  ASSERT_EQ(watch.instance.status, st::kFailed);
  json err = ErrorOf(watch);
  EXPECT_EQ(err["state"], "expired") << err;
  EXPECT_NE(err["message"].get<std::string>().find("production is live and verified"),
            std::string::npos) << err;
  EXPECT_NE(err["cause"]["message"].get<std::string>().find("_vercel.late-t1.com"),
            std::string::npos) << err;
  EXPECT_EQ(StepOf(watch, "check")["attempts"], 1);  // rechecks are looks of one attempt
  auto looks = StepOf(watch, "check")["looks"].get<int>();
  EXPECT_GT(looks, 2);
  EXPECT_LT(looks, 15);  // backed off, not every 30 s for an hour
  int progress = 0;
  auto h = engine_->History(watch_id, 0, 0);
  for (const auto& e : *h) progress += e.type == "step_progress";
  EXPECT_EQ(progress, 1);  // "pending" once, not one event per recheck
  EXPECT_EQ(Get(w.instance.id).instance.status, st::kCompleted);
  auto p = vercel_->GetProject(registry_->tenants().Require("t1")->prod_project_id);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->production_deployment_id, live);
}

TEST_F(ReleaseTest, DomainThatCannotBeAttachedFailsWithProductionLiveAndVerified) {
  MakeTenant("t1");
  // Another Vercel account's project holds the name already (not a Slipway tenant).
  activities::ProjectSpec other;
  other.name = "someone-else";
  auto p2 = vercel_->CreateProject(other);
  ASSERT_TRUE(p2.ok());
  ASSERT_TRUE(vercel_->AddDomain(p2->id, "www.taken-t1.com").ok());
  json in = Site("Acme");
  in["custom_domain"] = "www.taken-t1.com";
  auto w = RunUntilSettled(Start("deployment", "t1", in).instance.id, 400);
  ASSERT_EQ(w.instance.status, st::kFailed);
  json err = ErrorOf(w);
  EXPECT_EQ(err["state"], "domain_failed") << err;
  EXPECT_NE(err["message"].get<std::string>().find("production is live and verified"),
            std::string::npos) << err;
  EXPECT_EQ(StepOf(w, "promote")["status"], "succeeded");
  auto p = vercel_->GetProject(registry_->tenants().Require("t1")->prod_project_id);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->production_deployment_id, LastOutput(w.instance.id, "deploy")["deployment_id"]);
}

TEST_F(ReleaseTest, ALinkedProjectWithoutTheSettingDeploysEveryPush) {
  // What the emulator reproduces of Vercel's Git integration, and why the setting matters.
  MakeTenant("t1");
  activities::ProjectSpec bare;
  bare.name = "bare-t1";
  bare.git_repo = "acme/t1";
  auto p = vercel_->CreateProject(bare);
  ASSERT_TRUE(p.ok());
  HumanCommitTo("t1", "main", "notes.md", "a push to the production branch (main)\n");
  json list = Deployments(p->id);
  ASSERT_EQ(list.size(), 1u) << list;
  EXPECT_EQ(list[0]["target"], "production");
  EXPECT_EQ(list[0]["gitSource"]["ref"], "main");
  auto head = vercel_->GetProject(p->id);  // READY at once (no deploy delay): it went live
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->production_deployment_id, list[0]["uid"]);
}

TEST_F(ReleaseTest, PushesToTheTenantsRepositoryNeverDeployOnTheirOwn) {
  MakeTenant("t1");
  auto w = RunUntilSettled(Start("deployment", "t1", Site("Acme")).instance.id);
  ASSERT_EQ(w.instance.status, st::kCompleted) << w.instance.error_json;
  const std::string project = registry_->tenants().Require("t1")->prod_project_id;
  auto before = vercel_->GetProject(project);
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->ignored_build_command, kReleaseBuildsOnly);
  const size_t deployments = Deployments(project).size();
  EXPECT_EQ(deployments, 1u);  // the release's staged deployment only, not its branch pushes
  HumanCommitTo("t1", "main", "notes.md", "pushed to main\n");
  HumanCommitTo("t1", "production", "notes.md", "pushed to production\n");
  ASSERT_TRUE(github_->CreateBranch("t1", "feature", *github_->GetBranchHead("t1", "main")).ok());
  HumanCommitTo("t1", "feature", "notes.md", "pushed to a feature branch\n");
  EXPECT_EQ(Deployments(project).size(), deployments) << Deployments(project);
  auto after = vercel_->GetProject(project);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->production_deployment_id, before->production_deployment_id);
}

TEST_F(ReleaseTest, OnboardingCreatesTheProductionProjectWithTheSetting) {
  auto w = RunUntilSettled(
      Start("onboarding", "acme", {{"email", "owner@acme.test"}, {"name", "Acme"}}).instance.id);
  ASSERT_EQ(w.instance.status, st::kCompleted) << w.instance.error_json;
  auto prod = vercel_->GetProject(registry_->tenants().Require("acme")->prod_project_id);
  ASSERT_TRUE(prod.ok());
  EXPECT_EQ(prod->ignored_build_command, kReleaseBuildsOnly);
  HumanCommitTo("acme", "main", "notes.md", "pushed to main\n");
  EXPECT_EQ(Deployments(prod->id).size(), 0u);
  auto d = RunUntilSettled(Start("deployment", "acme", Site("A")).instance.id);
  ASSERT_EQ(d.instance.status, st::kCompleted) << d.instance.error_json;  // releases still build
  EXPECT_EQ(Deployments(prod->id).size(), 1u);
}

}  // namespace
}  // namespace slipway::workflows::testing
