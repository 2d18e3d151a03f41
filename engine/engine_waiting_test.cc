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

  Result<json> Run(const ActivityCall& call) override {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back({call.workflow_id, call.attempt, call.idempotency_key, call.looks,
                      call.progress});
    if (call.step != "s2") return json{{"passed", true}};
    if (call.looks >= looks_until_done) return json{{"build", "READY"}};
    const char* state = call.looks < 2 ? "QUEUED" : "BUILDING";
    return NotDoneYet({{"build_id", "b-" + call.workflow_id}, {"state", state},
                       {"look", call.looks}},
                      after_ms);
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
  int CountEvents(const std::string& id, const std::string& type) {
    int n = 0;
    for (const auto& e : History(id)) n += e.type == type ? 1 : 0;
    return n;
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
