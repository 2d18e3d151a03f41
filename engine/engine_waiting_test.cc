// Waiting costs no thread: an attempt that answers NotDoneYet is looked at again on a durable
// timer, as the same attempt, while the worker serves other workflows.
#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include "engine/testing/engine_fixture.h"

namespace slipway::engine {
namespace {

using nlohmann::json;
using testing::EngineFixture;
using testing::FastRetry;
using testing::SevenStepType;

// Step s2 waits like a Vercel build: QUEUED for two looks, BUILDING for two, then done.
// Every call is recorded with what the engine handed over.
class BuildLikeActivity : public Activity {
 public:
  struct Call {
    std::string workflow_id;
    int attempt;
    std::string key;
    int looks;
    json progress;
  };
  int looks_until_done = 4;
  int64_t after_ms = 1000;
  bool says_look = true;  // false: the progress is the same on every look of one state

  Result<json> Run(const ActivityCall& call) override {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back({call.workflow_id, call.attempt, call.idempotency_key, call.looks,
                      call.progress});
    if (call.step != "s2") return json{{"passed", true}};
    if (call.looks >= looks_until_done) return json{{"build", "READY"}};
    const char* state = call.looks < 2 ? "QUEUED" : "BUILDING";
    json progress = {{"build_id", "b-" + call.workflow_id}, {"state", state}};
    if (says_look) progress["look"] = call.looks;
    return NotDoneYet(progress, after_ms);
  }
  std::vector<Call> CallsOf(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Call> out;
    for (const auto& c : calls_) {
      if (c.workflow_id == id && c.key.find("/s2") != std::string::npos) out.push_back(c);
    }
    return out;
  }

 private:
  std::mutex mu_;
  std::vector<Call> calls_;
};

class EngineWaitingTest : public EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    RegisterWaiting(FastRetry());
  }
  void RegisterWaiting(RetryPolicy policy) {
    policy_ = policy;
    engine().RegisterActivity("build_like", build_);
    ASSERT_TRUE(engine().RegisterType(SevenStepType("waity", "build_like", policy_)).ok());
  }
  void Restart() {
    MakeEngine("engine-b");
    RegisterWaiting(policy_);
  }
  BuildLikeActivity build_;
  RetryPolicy policy_;
};

TEST_F(EngineWaitingTest, OneWorkerServesTwoWaitingWorkflowsWithTheSameAttemptOnEveryLook) {
  Start("waity", "client1", json::object(), "a");
  Start("waity", "client2", json::object(), "b");
  // RunDueWork is one worker: it runs both first looks and comes back, nobody sleeping.
  RunDue();
  for (const char* id : {"a", "b"}) {
    Workflow w = Get(id);
    EXPECT_EQ(w.instance.status, "running");
    json s2 = StepOf(w, "s2");
    EXPECT_EQ(s2["status"], "waiting");
    EXPECT_EQ(s2["progress"]["state"], "QUEUED");
    EXPECT_EQ(s2["looks"], 1);
    EXPECT_TRUE(s2["next_look_at"].is_string());
  }
  for (int round = 1; round <= 4; ++round) {
    clock_.Advance(std::chrono::milliseconds(1000));
    RunDue();
    // Both made progress in this round: one more look each.
    EXPECT_EQ(build_.CallsOf("a").size(), static_cast<size_t>(round + 1));
    EXPECT_EQ(build_.CallsOf("b").size(), static_cast<size_t>(round + 1));
  }
  for (const char* id : {"a", "b"}) {
    Workflow w = Get(id);
    EXPECT_EQ(w.instance.status, "completed") << id;
    EXPECT_EQ(StepOf(w, "s2")["attempts"], 1);
    auto calls = build_.CallsOf(id);
    ASSERT_EQ(calls.size(), 5u);
    for (size_t i = 0; i < calls.size(); ++i) {
      EXPECT_EQ(calls[i].attempt, 1);
      EXPECT_EQ(calls[i].key, std::string(id) + "/s2");
      EXPECT_EQ(calls[i].looks, static_cast<int>(i));
      if (i == 0) {
        EXPECT_TRUE(calls[i].progress.is_null());
      } else {
        EXPECT_EQ(calls[i].progress["look"], static_cast<int>(i) - 1);  // the last look's
      }
    }
    // One started and one succeeded for s2, and one event per state change (QUEUED,
    // BUILDING), not one per look (4).
    EXPECT_EQ(CountEvents(id, "step_progress"), 2);
    EXPECT_EQ(CountEvents(id, "step_started"), 7);
    EXPECT_TRUE(VerifyChain(History(id)).ok());
  }
}

TEST_F(EngineWaitingTest, CancelWhileWaitingEndsAtOnceAndLooksNoMore) {
  Start("waity", "client1", json::object(), "a");
  RunDue();
  ASSERT_EQ(StepOf(Get("a"), "s2")["status"], "waiting");
  auto w = engine().Cancel("a", Caller{"ops:alice"});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->instance.status, "cancelled");
  EXPECT_TRUE(store_->TasksOf("a")->empty());
  clock_.Advance(std::chrono::seconds(10));
  RunDue();
  EXPECT_EQ(build_.CallsOf("a").size(), 1u);
  EXPECT_EQ(Get("a").instance.status, "cancelled");
}

// A look's outputs are the engine's cached context itself, shared (shared_json.h), not a copy.
// A checkpoint of the same workflow made while the look runs (here a cancel, from inside the
// activity) must copy that context rather than take it: the look still reads what it was given.
class CancellingLook : public Activity {
 public:
  Engine* engine = nullptr;
  json seen_before, seen_after;
  Result<json> Run(const ActivityCall& call) override {
    if (call.step != "s2") return json{{"passed", true}};
    if (call.looks == 0) return NotDoneYet(json{{"state", "BUILDING"}}, 1000);
    seen_before = call.outputs.get();
    EXPECT_TRUE(engine->Cancel(call.workflow_id, Caller{"ops:alice"}).ok());
    seen_after = call.outputs.get();
    return NotDoneYet(json{{"state", "BUILDING"}}, 1000);
  }
};

TEST_F(EngineWaitingTest, ALooksOutputsStayWhatTheyWereWhileItsWorkflowIsCheckpointed) {
  CancellingLook look;
  look.engine = &engine();
  engine().RegisterActivity("cancelling_look", look);
  ASSERT_TRUE(engine().RegisterType(SevenStepType("looky", "cancelling_look", policy_)).ok());
  Start("looky", "client1", json::object(), "c");
  RunDue();
  clock_.Advance(std::chrono::milliseconds(1000));
  // The cancel took the look's task: the look's own outcome is refused, as it should be.
  (void)engine().RunDueWork();
  ASSERT_TRUE(look.seen_before.is_object()) << look.seen_before.dump();
  EXPECT_EQ(look.seen_before["s1"], json({{"passed", true}}));
  EXPECT_EQ(look.seen_after, look.seen_before);
  EXPECT_EQ(Get("c").instance.status, "cancelled");
}

TEST_F(EngineWaitingTest, ARestartedEngineLooksAgainFromTheRecordedProgress) {
  Start("waity", "client1", json::object(), "a");
  RunDue();
  clock_.Advance(std::chrono::milliseconds(1000));
  RunDue();
  Restart();  // a new process: only what was committed survives
  clock_.Advance(std::chrono::milliseconds(1000));
  RunDue();
  auto calls = build_.CallsOf("a");
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[2].looks, 2);
  EXPECT_EQ(calls[2].progress["look"], 1);
  EXPECT_EQ(calls[2].attempt, 1);
  clock_.Advance(std::chrono::seconds(5));
  RunDue();
  clock_.Advance(std::chrono::seconds(5));
  RunDue();
  EXPECT_EQ(Get("a").instance.status, "completed");
}

// A look that sees the very progress already recorded writes no checkpoint: only its task
// moves on (and carries the look count, across a restart). The recorded looks catch up at
// the next recorded look and at the outcome.
TEST_F(EngineWaitingTest, AQuietLookMovesOnlyItsTaskAndItsCountSurvivesARestart) {
  build_.says_look = false;
  build_.looks_until_done = 6;  // QUEUED at looks 0-1, BUILDING at 2-5, done at 6
  Start("waity", "client1", json::object(), "a");
  RunDue();
  const int64_t recorded = Get("a").instance.version;
  clock_.Advance(std::chrono::milliseconds(1000));
  RunDue();  // look 1: QUEUED again
  ASSERT_EQ(build_.CallsOf("a").size(), 2u);
  Workflow w = Get("a");
  EXPECT_EQ(w.instance.version, recorded) << "a quiet look rewrote the workflow";
  EXPECT_EQ(StepOf(w, "s2")["looks"], 1);
  auto tasks = store_->TasksOf("a");
  ASSERT_EQ(tasks->size(), 1u);
  EXPECT_EQ(json::parse((*tasks)[0].payload_json)["look"], 2);
  EXPECT_EQ((*tasks)[0].due_at_ms, clock_.NowMs() + 1000);
  EXPECT_EQ((*tasks)[0].lease_owner, "");

  clock_.Advance(std::chrono::milliseconds(1000));
  RunDue();  // look 2: BUILDING, recorded with the true count
  EXPECT_EQ(StepOf(Get("a"), "s2")["looks"], 3);
  EXPECT_EQ(StepOf(Get("a"), "s2")["progress"]["state"], "BUILDING");
  clock_.Advance(std::chrono::milliseconds(1000));
  RunDue();  // look 3: quiet
  Restart();
  for (int i = 0; i < 3; ++i) {
    clock_.Advance(std::chrono::milliseconds(1000));
    RunDue();  // looks 4, 5 (quiet) and 6 (done)
  }
  auto calls = build_.CallsOf("a");
  ASSERT_EQ(calls.size(), 7u);
  for (size_t i = 0; i < calls.size(); ++i) {
    EXPECT_EQ(calls[i].looks, static_cast<int>(i));
    EXPECT_EQ(calls[i].attempt, 1);
    if (i > 0) EXPECT_EQ(calls[i].progress["state"], i <= 2 ? "QUEUED" : "BUILDING") << i;
  }
  EXPECT_EQ(Get("a").instance.status, "completed");
  EXPECT_EQ(CountEvents("a", "step_progress"), 2);
  EXPECT_TRUE(VerifyChain(History("a")).ok());
}

TEST_F(EngineWaitingTest, TheAttemptTimeoutRunsAcrossLooksAndANewAttemptStartsAfresh) {
  RetryPolicy p = FastRetry(2);
  p.attempt_timeout_ms = 5000;
  engine_.reset();
  MakeEngine();
  RegisterWaiting(p);
  build_.looks_until_done = 1000;  // never ready
  build_.after_ms = 2000;
  Start("waity", "client1", json::object(), "a");
  RunDue();  // look at 0 s, then 2 s, 4 s and (clamped to the timeout) 5 s
  for (int i = 0; i < 3; ++i) {
    clock_.Advance(std::chrono::milliseconds(i < 2 ? 2000 : 1000));
    RunDue();
  }
  json s2 = StepOf(Get("a"), "s2");
  EXPECT_EQ(s2["status"], "retrying");
  EXPECT_EQ(s2["error"]["code"], "deadline_exceeded");
  EXPECT_EQ(s2["error"]["details"]["build_id"], "b-a");  // the last progress
  EXPECT_EQ(build_.CallsOf("a").size(), 3u);  // the timed-out look did not call
  clock_.Advance(std::chrono::seconds(1));
  RunDue();
  auto calls = build_.CallsOf("a");
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_EQ(calls[3].attempt, 2);
  EXPECT_EQ(calls[3].looks, 0);
  EXPECT_TRUE(calls[3].progress.is_null());
  EXPECT_EQ(calls[3].key, "a/s2");  // a new attempt, the same idempotency key
}

TEST_F(EngineWaitingTest, AProgressOverTheCapFailsTheAttempt) {
  class Huge : public Activity {
    Result<json> Run(const ActivityCall&) override {
      return NotDoneYet({{"state", std::string(kMaxProgressBytes, 'x')}}, 1000);
    }
  } huge;
  engine().RegisterActivity("huge", huge);
  ASSERT_TRUE(engine().RegisterType(SevenStepType("hugey", "huge", FastRetry(1))).ok());
  Start("hugey", "client1", json::object(), "h");
  RunDue();
  Workflow w = Get("h");
  EXPECT_EQ(w.instance.status, "failed");
  EXPECT_EQ(StepOf(w, "s1")["error"]["code"], "internal");
}

}  // namespace
}  // namespace slipway::engine
