// MSM routing of the test tables: the table alone decides what is legal.
#include <gtest/gtest.h>

#include "engine/testing/test_workflow.h"

namespace slipway::engine {
namespace {

using nlohmann::json;

std::unique_ptr<WorkflowMachine> Routed() {
  auto m = testing::RoutedType("rec", RetryPolicy()).make_machine();
  m->Start(json::object());
  return m;
}

TEST(MachineTest, SevenStepsRunInOrder) {
  auto m = testing::SevenStepType("seven", "rec", RetryPolicy()).make_machine();
  m->Start(json::object());
  EXPECT_EQ(m->state(), "s1");
  for (const char* next : {"s2", "s3", "s4", "s5", "s6", "s7", "done"}) {
    ASSERT_TRUE(m->Process(StepSucceeded{"", json::object()}));
    EXPECT_EQ(m->state(), next);
  }
}

TEST(MachineTest, PassingBuildGoesStraightToPublish) {
  auto m = Routed();
  ASSERT_TRUE(m->Process(StepSucceeded{"build", {{"passed", true}}}));
  EXPECT_EQ(m->state(), "publish");
}

TEST(MachineTest, FailingBuildLoopsThroughFixAtMostTwice) {
  auto m = Routed();
  ASSERT_TRUE(m->Process(StepSucceeded{"build", {{"passed", false}}}));
  EXPECT_EQ(m->state(), "fix");
  ASSERT_TRUE(m->Process(StepSucceeded{"fix", json::object()}));
  EXPECT_EQ(m->state(), "rebuild");
  ASSERT_TRUE(m->Process(StepSucceeded{"rebuild", {{"passed", false}}}));
  EXPECT_EQ(m->state(), "fix");
  ASSERT_TRUE(m->Process(StepSucceeded{"fix", json::object()}));
  ASSERT_TRUE(m->Process(StepSucceeded{"rebuild", {{"passed", false}}}));
  EXPECT_EQ(m->state(), "build_failed");
}

TEST(MachineTest, UnexpectedEventIsRejectedNotDropped) {
  auto m = Routed();
  EXPECT_FALSE(m->Process(Signalled{"approve", json()}));
  EXPECT_EQ(m->state(), "build");
  EXPECT_FALSE(m->Process(TimerFired{"wait_timeout"}));
  EXPECT_EQ(m->state(), "build");
  // A failure that the table does not route is reported as unhandled.
  EXPECT_FALSE(m->Process(StepFailed{"build", json::object()}));
}

TEST(MachineTest, SignalGuardsPickTheTransition) {
  auto approve = Routed();
  approve->Process(StepSucceeded{"build", json::object()});
  approve->Process(StepSucceeded{"publish", json::object()});
  ASSERT_EQ(approve->state(), "approval");
  auto reject = approve->Clone();
  EXPECT_FALSE(approve->Process(Signalled{"maybe", json()}));
  EXPECT_TRUE(approve->Process(Signalled{"approve", json()}));
  EXPECT_EQ(approve->state(), "check");
  EXPECT_TRUE(reject->Process(Signalled{"reject", json()}));
  EXPECT_EQ(reject->state(), "rejected");
}

TEST(MachineTest, RoutedFailureGoesToCompensation) {
  auto m = Routed();
  m->Process(StepSucceeded{"build", json::object()});
  m->Process(StepSucceeded{"publish", json::object()});
  m->Process(Signalled{"approve", json()});
  ASSERT_TRUE(m->Process(StepFailed{"check", {{"code", "permanent"}}}));
  EXPECT_EQ(m->state(), "undo");
  ASSERT_TRUE(m->Process(StepSucceeded{"undo", json::object()}));
  EXPECT_EQ(m->state(), "rolled_back");
}

TEST(MachineTest, CloneIsIndependent) {
  auto m = Routed();
  auto copy = m->Clone();
  m->Process(StepSucceeded{"build", {{"passed", false}}});
  EXPECT_EQ(m->state(), "fix");
  EXPECT_EQ(copy->state(), "build");
}

}  // namespace
}  // namespace slipway::engine
