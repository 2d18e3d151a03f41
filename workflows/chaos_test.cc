// workflows/chaos_test.cc: workflows against a flaky cloud (issue 12). The emulator answers
// about 30 % of GitHub, Vercel and Anthropic requests with a 5xx (some of them after the effect
// landed, some carrying GitHub's far rate-limit reset) and 5 % with 429 + Retry-After: 1, and
// fails 30 % of SMTP deliveries (half of them after the message landed). Every workflow still
// completes, and the emulator's effect log shows each effect once. A build that hangs fails its
// step at the first timeout, without retries.
#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <set>

#include "engine/transition.h"
#include "workflows/testing/workflow_fixture.h"

namespace slipway::workflows::testing {
namespace {

using nlohmann::json;
namespace st = engine::status;

// Rules are tried in order, the first that fires decides (faults.h). For a GET: 5 % 429, then
// 0.95 * (16 % + 84 % * 18 %) = 30 % 5xx. Writes also fail after their effect landed: a quarter
// of the calls that create something (the lost 201 the activities must look for), a tenth of
// the other writes.
constexpr const char* kFlakyCloud = R"({"seed": 12, "rules": [
    {"method": "SMTP", "status": 451, "rate": 0.15},
    {"method": "SMTP", "status": 451, "rate": 0.18, "after_effect": true},
    {"path": "*", "status": 429, "rate": 0.05, "retry_after_s": 1},
    {"method": "POST", "path": "/repos/*/generate", "status": 502, "rate": 0.25, "after_effect": true},
    {"method": "POST", "path": "/repos/*/hooks", "status": 502, "rate": 0.25, "after_effect": true},
    {"method": "PUT", "path": "/repos/*/contents/*", "status": 502, "rate": 0.25, "after_effect": true},
    {"method": "PATCH", "path": "/repos/*/git/refs/*", "status": 502, "rate": 0.25, "after_effect": true},
    {"method": "POST", "path": "/repos/*/git/refs", "status": 502, "rate": 0.25, "after_effect": true},
    {"method": "POST", "path": "/v11/projects", "status": 500, "rate": 0.25, "after_effect": true},
    {"method": "POST", "path": "/v13/deployments", "status": 500, "rate": 0.25, "after_effect": true},
    {"method": "POST", "path": "/v1/messages", "status": 529, "rate": 0.25, "after_effect": true},
    {"method": "POST", "path": "*", "status": 502, "rate": 0.10, "after_effect": true},
    {"method": "PUT", "path": "*", "status": 502, "rate": 0.10, "after_effect": true},
    {"method": "PATCH", "path": "*", "status": 502, "rate": 0.10, "after_effect": true},
    {"path": "*", "status": 503, "rate": 0.16, "ratelimit_remaining": 4999,
     "ratelimit_reset_s": 3600},
    {"path": "*", "status": 500, "rate": 0.18}]})";

class ChaosTest : public WorkflowFixture {
 protected:
  void SetUp() override {
    WorkflowFixture::SetUp();
    // Short intervals for the test; the shipped defaults (deps.cc) are the same shape with
    // minutes: unlimited attempts until a deadline.
    engine::RetryPolicy p;
    p.initial_interval_ms = 500;
    p.max_interval_ms = 2000;
    p.max_attempts = 0;
    p.deadline_ms = 30 * 60'000;
    p.attempt_timeout_ms = 0;
    p.jitter = false;
    RetryPolicies& r = options_.retry;
    r.github = r.vercel = r.deploy = r.build = r.llm = r.verify = r.notify = r.local = p;
    options_.webhook_url = "https://slipway.example/v1/webhooks/github";
    MakeEngine();
  }
  void ExpectCompleted(const std::vector<std::string>& ids) {
    for (const auto& id : ids) {
      auto w = Get(id);
      EXPECT_EQ(w.instance.status, st::kCompleted) << id << " " << w.instance.error_json;
    }
  }
  // Seeds the TS2322 that autofix repairs, with the faults off (the test's own commit).
  void SeedFixable(const std::vector<std::string>& tenants) {
    emu_->faults().Clear();
    for (const auto& t : tenants) SeedError(t, "fixable");
    Faults(kFlakyCloud);
  }
  // One round: a deployment for each tenant, with website data of its own (so a save commit).
  std::vector<std::string> DeployRound(const std::vector<std::string>& tenants, int round) {
    std::vector<std::string> ids;
    for (const auto& t : tenants) {
      json site = SiteData(t + " round " + std::to_string(round));
      ids.push_back(Start("deployment", t, {{"website_data", site}},
                          "dep-" + t + "-" + std::to_string(round)).instance.id);
    }
    RunAll(ids, 4000, 1000, false);
    ExpectCompleted(ids);
    return ids;
  }
  int FaultsFired(const std::string& kind, bool with_effect) {
    int n = 0;
    for (const auto& e : emu_->log().Entries()) {
      n += e.fault.find(kind) != std::string::npos && (!with_effect || !e.effect.empty());
    }
    return n;
  }
};

TEST_F(ChaosTest, FlakyCloudFiveOnboardingsTwentyDeploymentsEveryEffectOnce) {
  const std::vector<std::string> tenants = {"c1", "c2", "c3", "c4", "c5"};
  Faults(kFlakyCloud);
  std::vector<std::string> onboardings;
  for (const auto& t : tenants) {
    onboardings.push_back(
        Start("onboarding", t, {{"email", t + "@example.test"}}, "onb-" + t).instance.id);
  }
  RunAll(onboardings, 4000, 1000, false);
  ExpectCompleted(onboardings);

  // 4 rounds of 5 deployments; before rounds 0 and 2, two tenants get an error autofix repairs.
  std::map<std::string, int> deployments, fixes, human_commits;
  std::vector<std::string> deployment_ids;
  for (int round = 0; round < 4; ++round) {
    if (round == 0 || round == 2) {
      std::vector<std::string> seeded = round == 0 ? std::vector<std::string>{"c1", "c3"}
                                                   : std::vector<std::string>{"c2", "c5"};
      SeedFixable(seeded);
      for (const auto& t : seeded) ++human_commits[t];
    }
    for (const auto& id : DeployRound(tenants, round)) {
      deployment_ids.push_back(id);
      auto w = Get(id);
      ++deployments[w.instance.tenant];
      fixes[w.instance.tenant] += ResultOf(w).value("fixes_applied", 0);
    }
  }
  for (const auto& t : {"c1", "c3", "c2", "c5"}) EXPECT_EQ(fixes[t], 1) << t;
  EXPECT_EQ(fixes["c4"], 0);

  // The faults fired, the lost answers included.
  EXPECT_GT(FaultsFired("status_5", false), 100);
  EXPECT_GT(FaultsFired("status_429", false), 10);
  EXPECT_GT(FaultsFired("after_effect", true), 20) << "too few effects landed behind an error";
  EXPECT_GT(FaultsFired("status_451_after_effect", false), 0) << "no mail landed unanswered";
  for (const char* effect : {"repo_created", "commit", "deployment_created", "project_created"}) {
    int lost = 0;  // answers lost after this kind of effect landed
    for (const auto& e : emu_->log().Entries()) {
      lost += e.effect == effect && e.fault.find("after_effect") != std::string::npos;
    }
    EXPECT_GT(lost, 0) << effect;
  }
  EXPECT_GT(FaultsFired("status_451", false), 0) << "no SMTP fault";
  EXPECT_GT(api_http_->repeats(), 50);  // safe calls were repeated inside the client
  std::cout << "[ chaos    ] requests " << emu_->log().Entries().size() << ", 5xx "
            << FaultsFired("status_5", false) << ", 429 " << FaultsFired("status_429", false)
            << ", effects behind an error " << FaultsFired("after_effect", true)
            << ", SMTP faults " << FaultsFired("status_451", false) << ", repeats in the client "
            << api_http_->repeats() << "\n";

  // Each effect once: per tenant one repo, one webhook, two projects, one e-mail; per
  // deployment one save commit, one Vercel deployment, one fix commit when it needed one.
  EXPECT_EQ(EmuCount("repo_created"), 5);
  EXPECT_EQ(EmuCount("deployment_created"), 5 + 20);  // the dev deployments, then these
  for (const auto& t : tenants) {
    const std::string repo = "acme/" + t;
    EXPECT_EQ(EmuCount("repo_created", repo), 1) << t;
    EXPECT_EQ(EmuCount("webhook_created", repo), 1) << t;
    EXPECT_EQ(EmuCount("mail_sent", t + "@example.test"), 1) << t;
    EXPECT_EQ(EmuCount("commit", repo), deployments[t] + fixes[t] + human_commits[t]) << t;
    EXPECT_EQ(deployments[t], 4) << t;
    // The production branch and each deployment's work branch, once each; production and
    // then the editor's branch main fast-forwarded by each release.
    EXPECT_EQ(EmuCount("ref_created", repo), 1 + deployments[t]) << t;
    EXPECT_EQ(EmuCount("branch_moved", repo), 2 * deployments[t]) << t;
    EXPECT_EQ(EmuCount("merged", repo), 0) << t;
  }
  EXPECT_EQ(EmuCount("project_created"), 10);
  std::set<std::string> deployed;
  for (const auto& id : deployment_ids) {
    deployed.insert(ResultOf(Get(id))["deployment"]["id"].get<std::string>());
  }
  EXPECT_EQ(deployed.size(), 20u);
}

// A build step that hangs is killed at its timeout and fails the step at once: the same source
// would hang again, so retrying would only multiply the wait.
TEST_F(ChaosTest, HungBuildFailsTheStepAtTheFirstTimeout) {
  activities::build::ValidatorOptions vo;
  vo.work_dir = dir_.string();
  vo.build_timeout_ms = 1500;
  vo.kill_grace_ms = 200;
  validator_ = std::make_unique<activities::build::BuildValidator>(*runner_, *cache_, vo);
  MakeEngine();
  MakeTenant("h1");
  HumanCommit("h1", "package.json",
              R"({"name": "hangs", "version": "1.0.0", "private": true,)"
              R"( "scripts": {"build": "node -e \"setInterval(function () {}, 1000)\""}})"
              "\n");
  auto w = RunUntilSettled(
      Start("deployment", "h1", {{"website_data", SiteData("H")}}).instance.id, 200, 1000);
  ASSERT_EQ(w.instance.status, st::kFailed) << w.instance.error_json;
  EXPECT_EQ(ErrorOf(w)["state"], "validate_failed");
  EXPECT_NE(ErrorOf(w)["cause"]["message"].get<std::string>().find("'build' timed out"),
            std::string::npos) << ErrorOf(w);
  EXPECT_EQ(StepOf(w, "validate")["attempts"], 1);
  EXPECT_EQ(EmuCount("deployment_created"), 0);
}

}  // namespace
}  // namespace slipway::workflows::testing
