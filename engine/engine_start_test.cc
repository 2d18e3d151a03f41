// Engine::Start: validation, idempotency on the id, atomicity.
#include <gtest/gtest.h>

#include "engine/testing/engine_fixture.h"

namespace slipway::engine {
namespace {

using nlohmann::json;
using testing::EngineFixture;
class EngineStartTest : public EngineFixture {};

TEST_F(EngineStartTest, StartCreatesARunningWorkflowWithItsFirstTask) {
  Workflow w = Start("seven", "client1", {{"k", 1}}, "wf-1");
  EXPECT_TRUE(w.created);
  EXPECT_EQ(w.instance.status, "running");
  EXPECT_EQ(w.current_step, "s1");
  ASSERT_EQ(w.steps.size(), 7u);
  EXPECT_EQ(w.steps[0]["status"], "pending");
  auto tasks = store_->TasksOf("wf-1");
  ASSERT_TRUE(tasks.ok());
  ASSERT_EQ(tasks->size(), 1u);
  EXPECT_EQ((*tasks)[0].step, "s1");
  auto h = History("wf-1");
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].type, "workflow_started");
  EXPECT_EQ(h[0].actor, "tenant:client1");
}

TEST_F(EngineStartTest, SameIdAndSameRequestReturnsTheExistingWorkflow) {
  Workflow first = Start("seven", "client1", {{"k", 1}}, "wf-1");
  auto again = engine().Start({"seven", "client1", {{"k", 1}}, "wf-1"}, Caller{});
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->instance.version, first.instance.version);
  EXPECT_EQ(History("wf-1").size(), 1u);
}

TEST_F(EngineStartTest, SameIdWithADifferentRequestIsAConflict) {
  Start("seven", "client1", {{"k", 1}}, "wf-1");
  auto other = engine().Start({"seven", "client1", {{"k", 2}}, "wf-1"}, Caller{});
  EXPECT_EQ(other.status().code(), Code::kConflict);
  auto other_tenant = engine().Start({"seven", "client2", {{"k", 1}}, "wf-1"}, Caller{});
  EXPECT_EQ(other_tenant.status().code(), Code::kConflict);
}

TEST_F(EngineStartTest, BadRequestsNameTheField) {
  EXPECT_EQ(engine().Start({"nope", "client1", json::object(), ""}, Caller{}).status().field(),
            "type");
  EXPECT_EQ(engine().Start({"seven", "Client_1", json::object(), ""}, Caller{}).status().field(),
            "tenant");
  EXPECT_EQ(engine().Start({"seven", "client1", json::object(), "a/b"}, Caller{}).status().field(),
            "id");
  EXPECT_EQ(engine().Start({"seven", "client1", json::array(), ""}, Caller{}).status().field(),
            "input");
  auto page = engine().List({});
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->instances.empty());  // nothing half-written
}

TEST_F(EngineStartTest, GeneratedIdsAreUnique) {
  Workflow a = Start("seven");
  Workflow b = Start("seven");
  EXPECT_NE(a.instance.id, b.instance.id);
}

TEST_F(EngineStartTest, AFailedCommitLeavesNothingBehind) {
  faulty_->FailNextCommits(1, storage::testing::FaultyStore::When::kBefore);
  auto w = engine().Start({"seven", "client1", json::object(), "wf-1"}, Caller{});
  EXPECT_EQ(w.status().code(), Code::kUnavailable);
  EXPECT_EQ(store_->Load("wf-1").status().code(), Code::kNotFound);
  auto tasks = store_->TasksOf("wf-1");
  ASSERT_TRUE(tasks.ok());
  EXPECT_TRUE(tasks->empty());
}

TEST_F(EngineStartTest, AnAmbiguousCommitIsSafeToRetryWithTheSameId) {
  faulty_->FailNextCommits(1, storage::testing::FaultyStore::When::kAfter);
  auto w = engine().Start({"seven", "client1", json::object(), "wf-1"}, Caller{});
  EXPECT_FALSE(w.ok());
  auto again = engine().Start({"seven", "client1", json::object(), "wf-1"}, Caller{});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(again->created);
  EXPECT_EQ(History("wf-1").size(), 1u);
  RunDue();
  EXPECT_EQ(Get("wf-1").instance.status, "completed");
  EXPECT_EQ(activity_.calls().size(), 7u);
}

TEST_F(EngineStartTest, SecretsInTheInputNeverReachHistory) {
  Start("seven", "client1", {{"github_token", "ghp_abcdefghijklmnopqrstuvwxyz0123"}}, "wf-1");
  for (const auto& e : History("wf-1")) {
    EXPECT_EQ(e.data_json.find("ghp_abcdefghij"), std::string::npos) << e.data_json;
  }
}

}  // namespace
}  // namespace slipway::engine
