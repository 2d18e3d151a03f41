// workflows/deployment_table_test.cc: the deployment table alone (no engine): every step has a
// failure row that ops can resume, and histories recorded before those rows still replay.
#include <gtest/gtest.h>

#include "workflows/deployment_workflow.h"
#include "workflows/deps.h"

namespace slipway::workflows {
namespace {

using engine::Resumed;
using engine::StepFailed;
using engine::StepSucceeded;
using nlohmann::json;

const json kPassed = {{"passed", true}, {"sha", "c0ffee"}};
const json kFailedBuild = {{"passed", false}, {"sha", "c0ffee"}};
const json kStaged = {{"staged", true}, {"deployment_id", "dpl_1"}};

std::unique_ptr<engine::WorkflowMachine> Machine() {
  std::unique_ptr<engine::WorkflowMachine> m = DeploymentType(WorkflowOptions()).make_machine();
  m->Start(json::object());
  return m;
}

// Drives a fresh machine to `step` with the outcomes that lead there.
std::unique_ptr<engine::WorkflowMachine> At(const std::string& step) {
  auto m = Machine();
  auto ok = [&m](const char* s, const json& out) { EXPECT_TRUE(m->Process(StepSucceeded{s, out})); };
  if (step == "save") return m;
  ok("save", json::object());
  if (step == "validate") return m;
  if (step == "autofix" || step == "revalidate") {
    ok("validate", kFailedBuild);
    if (step == "revalidate") ok("autofix", json::object());
    return m;
  }
  ok("validate", kPassed);
  return m;  // deploy
}

TEST(DeploymentTableTest, EveryStepBeforeVerifyHasAFailedStateThatResumeLeaves) {
  const WorkflowOptions options;
  const engine::WorkflowType type = DeploymentType(options);
  for (const std::string step : {"save", "validate", "autofix", "revalidate", "deploy"}) {
    auto m = At(step);
    ASSERT_EQ(m->state(), step);
    ASSERT_TRUE(m->Process(StepFailed{step, {{"code", "permanent"}}})) << step;
    EXPECT_EQ(m->state(), step + "_failed");
    EXPECT_EQ(type.states.at(step + "_failed").kind, engine::StateKind::kFailed) << step;
    EXPECT_FALSE(type.states.at(step + "_failed").failure_message.empty()) << step;
    ASSERT_TRUE(m->Process(Resumed{})) << step;
    EXPECT_EQ(m->state(), step);
  }
}

TEST(DeploymentTableTest, EveryActivityStateHasAFailureRow) {
  const engine::WorkflowType type = DeploymentType(WorkflowOptions());
  for (const std::string step : {"save", "validate", "autofix", "revalidate", "deploy", "verify",
                                 "promote", "domain"}) {
    EXPECT_TRUE(type.states.count(step + "_failed")) << step;
  }
  auto m = At("deploy");
  ASSERT_TRUE(m->Process(StepSucceeded{"deploy", kStaged}));
  ASSERT_TRUE(m->Process(StepFailed{"verify", json::object()}));
  EXPECT_EQ(m->state(), "verify_failed");
}

TEST(DeploymentTableTest, HistoryFromBeforeTheFailureRowsStillReplays) {
  // Recorded then: save failed for good (unhandled: the workflow failed in state "save" and
  // replay skips that event), ops resumed (unhandled too: the engine re-entered "save"), and
  // the release went on. Replay feeds only the handled events.
  auto m = Machine();
  EXPECT_EQ(m->state(), "save");
  ASSERT_TRUE(m->Process(StepSucceeded{"save", json::object()}));
  ASSERT_TRUE(m->Process(StepSucceeded{"validate", kPassed}));
  ASSERT_TRUE(m->Process(StepSucceeded{"deploy", kStaged}));
  ASSERT_TRUE(m->Process(StepSucceeded{"verify", {{"passed", true}}}));
  ASSERT_TRUE(m->Process(StepSucceeded{"promote", json::object()}));
  EXPECT_EQ(m->state(), "done");
  // A legacy release (deploy output without "staged") that failed verify still rolls back.
  auto legacy = At("deploy");
  ASSERT_TRUE(legacy->Process(StepSucceeded{"deploy", {{"deployment_id", "dpl_0"}}}));
  ASSERT_TRUE(legacy->Process(StepFailed{"verify", json::object()}));
  EXPECT_EQ(legacy->state(), "rollback");
}

}  // namespace
}  // namespace slipway::workflows
