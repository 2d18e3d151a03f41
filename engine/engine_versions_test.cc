// Upgrading with workflows in flight: instances keep the table version they started on.
//
// Type "upgrade" (engine/testing/upgrade_workflow.h), v1 and v2, with a 60 s pause.
// Instances park on the timer in one engine; the "upgrade" is a new engine (a new process) on
// the same SQLite file with other versions registered.
#include <gtest/gtest.h>

#include <algorithm>

#include "engine/testing/engine_fixture.h"
#include "engine/testing/upgrade_workflow.h"

namespace slipway::engine {
namespace {

using nlohmann::json;
using testing::EngineFixture;
using testing::FastRetry;
using testing::RecordingActivity;

constexpr int64_t kPauseMs = 60'000;

WorkflowType UpgradeType(int version) {
  return testing::UpgradeType(version, "rec", FastRetry(), kPauseMs);
}

class EngineVersionsTest : public EngineFixture {
 protected:
  // A new process on the same database file, registering only these versions of "upgrade".
  void Restart(const std::vector<int>& versions, const std::string& owner) {
    engine_.reset();
    EngineOptions o;
    o.owner = owner;
    o.seed = 42;
    engine_ = std::make_unique<Engine>(*faulty_, clock_, failpoints_, o);
    engine_->RegisterActivity("rec", activity_);
    for (int v : versions) ASSERT_TRUE(engine_->RegisterType(UpgradeType(v)).ok());
  }
  std::vector<std::string> StepNames(const Workflow& w) {
    std::vector<std::string> out;
    for (const auto& s : w.steps) out.push_back(s["name"]);
    return out;
  }
  bool Has(const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  }
  std::vector<std::string> CalledSteps(const std::string& id) {
    std::vector<std::string> out;
    for (const auto& c : activity_.calls()) {
      if (c.workflow_id == id) out.push_back(c.step);
    }
    return out;
  }
  // Starts `n` instances and runs them to the timer.
  std::vector<std::string> StartParked(int n, const std::string& prefix) {
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) {
      ids.push_back(Start("upgrade", "client1", json::object(), "client1:" + prefix +
                                                                   std::to_string(i))
                        .instance.id);
    }
    RunDue();
    for (const auto& id : ids) {
      Workflow w = Get(id);
      EXPECT_EQ(w.instance.status, "waiting") << id;
      EXPECT_EQ(w.current_step, "pause") << id;
    }
    return ids;
  }
};

TEST_F(EngineVersionsTest, RegisteringTheSameVersionTwiceIsRefusedButTwoVersionsAreNot) {
  Restart({1, 2}, "engine-a");
  EXPECT_EQ(engine().RegisterType(UpgradeType(2)).code(), Code::kAlreadyExists);
  WorkflowType bad = UpgradeType(3);
  bad.version = 0;
  EXPECT_EQ(engine().RegisterType(bad).code(), Code::kInvalidArgument);
}

TEST_F(EngineVersionsTest, ParkedInstancesFinishOnTheirTableAndNewOnesStartOnTheNewest) {
  Restart({1}, "engine-v1");
  std::vector<std::string> old_ids = StartParked(3, "old");
  for (const auto& id : old_ids) EXPECT_EQ(Get(id).instance.type_version, 1);

  // The upgrade: a new process that registers both tables.
  Restart({1, 2}, "engine-v2");
  std::vector<std::string> new_ids = StartParked(2, "new");
  for (const auto& id : new_ids) {
    Workflow w = Get(id);
    EXPECT_EQ(w.instance.type_version, 2);
    EXPECT_EQ(w.ToJson()["type_version"], 2);
    EXPECT_EQ(StepNames(w), (std::vector<std::string>{"prepare", "pause", "finish_v2",
                                                      "notify_v2"}));
  }
  for (const auto& id : old_ids) {
    EXPECT_EQ(StepNames(Get(id)), (std::vector<std::string>{"prepare", "pause", "finish_v1"}));
  }

  clock_.Advance(std::chrono::milliseconds(kPauseMs + 1));
  RunDue();
  for (const auto& id : old_ids) {
    Workflow w = Get(id);
    EXPECT_EQ(w.instance.status, "completed") << id;
    EXPECT_EQ(w.instance.type_version, 1);
    EXPECT_EQ(w.ToJson()["type_version"], 1);
    EXPECT_EQ(StepOf(w, "finish_v1")["status"], "succeeded");
    EXPECT_EQ(CalledSteps(id), (std::vector<std::string>{"prepare", "finish_v1"}));
    std::vector<std::string> events = EventTypes(id);
    EXPECT_TRUE(Has(events, "step_succeeded:finish_v1")) << id;
    EXPECT_FALSE(Has(events, "step_started:finish_v2")) << id;
  }
  for (const auto& id : new_ids) {
    Workflow w = Get(id);
    EXPECT_EQ(w.instance.status, "completed") << id;
    EXPECT_EQ(CalledSteps(id), (std::vector<std::string>{"prepare", "finish_v2", "notify_v2"}));
    EXPECT_FALSE(Has(EventTypes(id), "step_started:finish_v1")) << id;
  }
  // The chain of every history is intact across the upgrade.
  for (const auto& id : old_ids) EXPECT_TRUE(VerifyChain(History(id)).ok()) << id;
}

TEST_F(EngineVersionsTest, AnInstanceOfADroppedVersionIsHeldAndRunsAgainWhereItIsRegistered) {
  Restart({1}, "engine-v1");
  std::vector<std::string> old_ids = StartParked(2, "old");

  // An upgrade that dropped version 1.
  Restart({2}, "engine-v2only");
  Workflow parked = Get(old_ids[0]);  // still readable: its recorded steps, by name
  EXPECT_EQ(parked.instance.type_version, 1);
  EXPECT_EQ(parked.current_step, "pause");
  EXPECT_TRUE(Has(StepNames(parked), "pause"));
  std::string fresh = Start("upgrade", "client1", json::object(), "client1:fresh").instance.id;
  EXPECT_EQ(Get(fresh).instance.type_version, 2);

  clock_.Advance(std::chrono::milliseconds(kPauseMs + 1));
  RunDue();
  for (const auto& id : old_ids) {
    Workflow w = Get(id);
    ASSERT_EQ(w.instance.status, "failed") << id;
    json error = json::parse(w.instance.error_json);
    EXPECT_EQ(error["code"], "type_version_unregistered");
    EXPECT_EQ(error["type"], "upgrade");
    EXPECT_EQ(error["type_version"], 1);
    EXPECT_NE(error["message"].get<std::string>().find("upgrade version 1"), std::string::npos)
        << error.dump();
    EXPECT_EQ(CalledSteps(id), std::vector<std::string>{"prepare"});  // nothing ran on v2
    std::vector<std::string> events = EventTypes(id);
    EXPECT_FALSE(Has(events, "timer_fired:pause")) << id;
    EXPECT_EQ(events.back(), "workflow_failed");
    EXPECT_TRUE(store_->TasksOf(id)->empty());  // held: nothing left to claim
  }
  EXPECT_EQ(Get(fresh).current_step, "pause");  // the new version's work went on
  // This process cannot resume it either: it would run on the wrong table.
  Result<Workflow> refused = engine().Resume(old_ids[0], Caller{"ops:alice"});
  EXPECT_EQ(refused.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("version 1"), std::string::npos);

  // A process that registers version 1 again: ops resume, the instances finish on v1.
  Restart({1, 2}, "engine-v1again");
  for (const auto& id : old_ids) {
    Result<Workflow> resumed = engine().Resume(id, Caller{"ops:alice"});
    ASSERT_TRUE(resumed.ok()) << resumed.status().ToString();
    EXPECT_EQ(resumed->instance.status, "waiting");
  }
  clock_.Advance(std::chrono::milliseconds(kPauseMs + 1));
  RunDue();
  for (const auto& id : old_ids) {
    Workflow w = Get(id);
    EXPECT_EQ(w.instance.status, "completed") << id;
    EXPECT_EQ(w.instance.type_version, 1);
    EXPECT_EQ(CalledSteps(id), (std::vector<std::string>{"prepare", "finish_v1"}));
    std::vector<std::string> events = EventTypes(id);
    EXPECT_TRUE(Has(events, "workflow_resumed:pause")) << id;
    EXPECT_TRUE(Has(events, "step_succeeded:finish_v1")) << id;
    EXPECT_TRUE(VerifyChain(History(id)).ok()) << id;
  }
  EXPECT_EQ(Get(fresh).instance.status, "completed");
  EXPECT_EQ(CalledSteps(fresh), (std::vector<std::string>{"prepare", "finish_v2", "notify_v2"}));
}

// Not only timers: a step's retry, claimed by a process without the version, holds it too,
// and the resumed step runs again on its own table with a fresh idempotency key.
TEST_F(EngineVersionsTest, ARetryOfADroppedVersionIsHeldNotRunOnTheNewTable) {
  Restart({1}, "engine-v1");
  activity_.Script("prepare", {Unavailable("503")});
  std::string id = Start("upgrade", "client1", json::object(), "client1:retrying").instance.id;
  RunDue();
  Workflow w = Get(id);
  ASSERT_EQ(w.instance.status, "running");
  EXPECT_EQ(StepOf(w, "prepare")["status"], "retrying");

  Restart({2}, "engine-v2only");
  clock_.Advance(std::chrono::seconds(2));
  RunDue();
  w = Get(id);
  ASSERT_EQ(w.instance.status, "failed");
  EXPECT_EQ(json::parse(w.instance.error_json)["code"], "type_version_unregistered");
  EXPECT_EQ(w.current_step, "prepare");
  EXPECT_EQ(activity_.attempts("prepare"), 1);  // the retry did not run on v2's table

  Restart({1}, "engine-v1again");
  ASSERT_TRUE(engine().Resume(id, Caller{"ops:alice"}).ok());
  RunDue();
  EXPECT_EQ(Get(id).current_step, "pause");
  std::vector<RecordingActivity::Call> calls = activity_.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[1].step, "prepare");
  EXPECT_NE(calls[1].idempotency_key, calls[0].idempotency_key);  // a resume's new key
  clock_.Advance(std::chrono::milliseconds(kPauseMs + 1));
  RunDue();
  EXPECT_EQ(Get(id).instance.status, "completed");
  EXPECT_EQ(CalledSteps(id), (std::vector<std::string>{"prepare", "prepare", "finish_v1"}));
}

}  // namespace
}  // namespace slipway::engine
