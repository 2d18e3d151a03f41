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
}

TEST_F(EngineStartTest, IdsLiveInTheirTenantsNamespace) {
  Workflow a = Start("seven", "client1", {{"k", 1}}, "client1:deploy");
  Workflow b = Start("seven", "client2", {{"k", 2}}, "client2:deploy");
  EXPECT_TRUE(a.created && b.created);
  EXPECT_EQ(Get("client1:deploy").instance.tenant, "client1");
  EXPECT_EQ(Get("client2:deploy").instance.tenant, "client2");
  // Another tenant's namespace is refused as bad input, never as a conflict that would say
  // the id exists.
  for (const char* id : {"client1:deploy", "client1:other", "client:x", "client22:x"}) {
    auto forged = engine().Start({"seven", "client2", {{"k", 1}}, id}, Caller{});
    EXPECT_EQ(forged.status().code(), Code::kInvalidArgument) << id;
    EXPECT_EQ(forged.status().field(), "id") << id;
  }
  Workflow generated = Start("seven", "client2");
  EXPECT_EQ(generated.instance.id.rfind("client2:wf_", 0), 0u) << generated.instance.id;
}

TEST_F(EngineStartTest, PrepareInputCompletesTheStoredInputAfterTheHash) {
  std::string policy = "strict";
  WorkflowType t = testing::SevenStepType("prepared", "rec", testing::FastRetry());
  t.prepare_input = [&](const std::string& tenant, const json& in) -> Result<json> {
    if (policy == "down") return Unavailable("records unreachable");
    json out = in;
    out["policy"] = policy + ":" + tenant;
    return out;
  };
  ASSERT_TRUE(engine().RegisterType(t).ok());
  Start("prepared", "client1", {{"k", 1}}, "client1:p");
  EXPECT_EQ(json::parse(Get("client1:p").instance.input_json)["policy"], "strict:client1");
  auto h = History("client1:p");
  ASSERT_FALSE(h.empty());
  EXPECT_EQ(json::parse(h[0].data_json)["input"]["policy"], "strict:client1");
  policy = "lax";  // the same request again still finds its workflow, as it was started
  auto again = engine().Start({"prepared", "client1", {{"k", 1}}, "client1:p"}, Caller{});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(again->created);
  EXPECT_EQ(json::parse(again->instance.input_json)["policy"], "strict:client1");
  policy = "down";
  auto failed = engine().Start({"prepared", "client1", {{"k", 1}}, "client1:q"}, Caller{});
  EXPECT_EQ(failed.status().code(), Code::kUnavailable);
  EXPECT_EQ(engine().Get("client1:q").status().code(), Code::kNotFound);
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
