// workflows/testing/workflow_fixture.h: test fixture for workflows: the in-process emulator
// (template repository seeded from testdata/fast_site), real clients over loopback, the real
// BuildValidator (npm, fast site), an Engine on a real SqliteStore in a temp dir with a
// FakeClock, and every workflow registered. Tests drive due work with RunUntilSettled(), which
// moves the fake clock forward between rounds: no threads of our own. Test-only.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "activities/anthropic_client.h"
#include "activities/build/build_cache.h"
#include "activities/build/build_validator.h"
#include "activities/build/process_runner.h"
#include "activities/curl_http_client.h"
#include "activities/github_client.h"
#include "activities/llm_budget.h"
#include "activities/notify.h"
#include "activities/retrying_http_client.h"
#include "activities/verify.h"
#include "activities/vercel_client.h"
#include "engine/base/failpoints.h"
#include "engine/engine.h"
#include "storage/sqlite_store.h"
#include "tools/emulator/emulator.h"
#include "workflows/registry.h"

namespace slipway::workflows::testing {

// The smallest website_data the schema accepts (workflows/website_data.h): `name` as the
// siteName and one page, "index".
inline nlohmann::json SiteData(const std::string& name) {
  return {{"siteName", name}, {"pages", {{{"slug", "index"}, {"title", "Home"}}}}};
}

class WorkflowFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  // The directory the emulator's template repository is seeded from.
  virtual std::string TemplateDir() const;

  // A fresh engine on the same store and registry options, as after a restart.
  void MakeEngine();
  WorkflowOptions TestOptions() const;

  // Creates the tenant's repository, projects and record directly (not via onboarding).
  void MakeTenant(const std::string& tenant);
  // Commits `content` to `path` on the tenant's production branch (the default branch until
  // the first deployment creates it), as a human would.
  void HumanCommit(const std::string& tenant, const std::string& path, const std::string& content);
  // The same on `branch` (e.g. a deployment's work branch).
  void HumanCommitTo(const std::string& tenant, const std::string& branch,
                     const std::string& path, const std::string& content);
  // Seeds an error into the tenant's repository: "fixable" (TS2322 in the template's
  // src/site.ts) or "unfixable" (TS2307 in the tenant's own src/custom.ts).
  void SeedError(const std::string& tenant, const std::string& kind);
  void VerifyDomainAtEmulator(const std::string& domain);

  engine::Workflow Start(const std::string& type, const std::string& tenant,
                         nlohmann::json input, const std::string& id = "");
  engine::Workflow Get(const std::string& id);
  // Runs due work, advancing the fake clock by `step_ms` between rounds, until the workflow is
  // final or waiting (for a signal or a long timer) or `max_rounds` passed. Returns it.
  engine::Workflow RunUntilSettled(const std::string& id, int max_rounds = 200,
                                   int64_t step_ms = 1000);
  // Runs rounds until no workflow in `ids` is running or queued (nor waiting, unless
  // waiting_settles: a parent waiting on its children's timer is not settled).
  void RunAll(const std::vector<std::string>& ids, int max_rounds = 2000, int64_t step_ms = 1000,
              bool waiting_settles = true);
  std::vector<std::string> EventTypes(const std::string& id);
  // The output recorded by the last step_succeeded event of `step` (null if none).
  nlohmann::json LastOutput(const std::string& id, const std::string& step);
  nlohmann::json StepOf(const engine::Workflow& w, const std::string& name);
  nlohmann::json ResultOf(const engine::Workflow& w);
  nlohmann::json ErrorOf(const engine::Workflow& w);
  int EmuCount(const std::string& effect, const std::string& subject = "");
  void Faults(const std::string& json);

  std::filesystem::path dir_;
  FakeClock clock_;
  SystemClock real_clock_;
  Failpoints failpoints_;
  std::unique_ptr<emulator::Emulator> emu_;
  std::unique_ptr<activities::CurlHttpClient> http_;
  // What the GitHub, Vercel and Anthropic clients send through, as in slipwayd: repeats the
  // calls that are safe to repeat. Its waits are skipped (the emulator's Retry-After: 1 would
  // otherwise be real seconds).
  std::unique_ptr<activities::RetryingHttpClient> api_http_;
  activities::ServiceConfig config_;
  std::unique_ptr<activities::GitHubClient> github_;
  std::unique_ptr<activities::GitHubClient> template_github_;
  std::unique_ptr<activities::VercelClient> vercel_;
  std::unique_ptr<activities::AnthropicClient> anthropic_;
  // LLM budgets on the fake clock when set before SetUp (a test's constructor); none otherwise.
  std::optional<activities::LlmBudgetLimits> llm_limits_;
  std::unique_ptr<activities::LlmBudget> llm_budget_;
  std::unique_ptr<activities::Autofixer> autofixer_;
  std::unique_ptr<activities::build::PosixProcessRunner> runner_;
  std::unique_ptr<activities::build::InMemoryBuildCache> cache_;
  std::unique_ptr<activities::build::BuildValidator> validator_;
  std::unique_ptr<activities::Verifier> verifier_;
  std::unique_ptr<activities::Notifier> notifier_;
  std::unique_ptr<storage::SqliteStore> store_;
  WorkflowOptions options_;
  bool use_verifier_ = true;  // false: deployments record verify as skipped
  // Builds run in the bubblewrap sandbox, as in slipwayd (the real-site test sets it).
  bool sandbox_builds_ = false;
  int64_t lease_ms_ = 30'000;  // EngineOptions::lease_ms of the next MakeEngine()
  int64_t emu_deploy_delay_ms_ = 0;  // the emulator's Vercel build time (real), set before SetUp
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<engine::Engine> engine_;
};

}  // namespace slipway::workflows::testing
