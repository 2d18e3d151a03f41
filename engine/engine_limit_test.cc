// Limit on request (StateSpec::limit_on_request): an attempt starts outside its state's
// limit_class and enters it only when the activity answers NeedsLimit; the look in the class
// is the same attempt, and the attempt's time does not run while it waits for a slot.
// (engine/scheduler_test.cc shows that a cheap attempt takes no slot of the class.)
#include <gtest/gtest.h>

#include <mutex>

#include "engine/testing/engine_fixture.h"

namespace slipway::engine {
namespace {

using nlohmann::json;
using testing::EngineFixture;
using testing::FastRetry;
using testing::SevenStepType;

// Step s2 is like validate: a hit of input.cached answers at once; a miss asks for the
// class, then "builds" the sha its first look found. fail_first_build: the first run in the
// class fails (retryable).
class SlotLikeActivity : public Activity {
 public:
  struct Call {
    int attempt;
    int looks;
    bool limited;
    std::string key;
  };
  bool fail_first_build = false;

  Result<json> Run(const ActivityCall& call) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (call.step != "s2") return json::object();
    calls_.push_back({call.attempt, call.looks, call.limited, call.idempotency_key});
    if (!call.limited) {
      if (call.input.value("cached", false)) return json{{"from_cache", true}};
      return NeedsLimit({{"state", "waiting_for_build_slot"}, {"sha", "abc123"}});
    }
    if (fail_first_build && !failed_) {
      failed_ = true;
      return Unavailable("the builder went away");
    }
    return json{{"built", call.progress.value("sha", "")}};
  }
  std::vector<Call> calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }

 private:
  std::mutex mu_;
  std::vector<Call> calls_;
  bool failed_ = false;
};

class EngineLimitTest : public EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    Register();
  }
  void Register() {
    engine().RegisterActivity("slot_like", slot_);
    RetryPolicy p = FastRetry();
    p.attempt_timeout_ms = 5'000;
    WorkflowType type = SevenStepType("limited", "slot_like", p);
    type.states.at("s2").limit_class = "build";
    type.states.at("s2").limit_on_request = true;
    ASSERT_TRUE(engine().RegisterType(type).ok());
  }
  void Restart() {
    MakeEngine("engine-b");
    Register();
  }
  SlotLikeActivity slot_;
};

TEST_F(EngineLimitTest, AHitAnswersOutsideTheClassInItsFirstLook) {
  Start("limited", "client1", {{"cached", true}}, "hit");
  RunDue();
  Workflow w = Get("hit");
  EXPECT_EQ(w.instance.status, "completed");
  EXPECT_EQ(StepOf(w, "s2")["attempts"], 1);
  auto calls = slot_.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_FALSE(calls[0].limited);
  EXPECT_EQ(CountEvents("hit", "step_progress"), 0);
}

TEST_F(EngineLimitTest, AMissWaitsForTheClassAndRunsInItAsTheSameAttemptWithItsClockStopped) {
  Start("limited", "client1", json::object(), "miss");
  RunDue();
  Workflow w = Get("miss");
  json s2 = StepOf(w, "s2");
  EXPECT_EQ(s2["status"], "waiting");
  EXPECT_EQ(s2["progress"]["state"], "waiting_for_build_slot");
  EXPECT_EQ(CountEvents("miss", "step_progress"), 1);
  // A minute for a slot: far over the attempt's 5 s, which starts only in the class.
  clock_.Advance(std::chrono::seconds(60));
  RunDue();
  w = Get("miss");
  EXPECT_EQ(w.instance.status, "completed");
  s2 = StepOf(w, "s2");
  EXPECT_EQ(s2["attempts"], 1);
  auto calls = slot_.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_FALSE(calls[0].limited);
  EXPECT_TRUE(calls[1].limited);
  EXPECT_EQ(calls[1].attempt, 1);
  EXPECT_EQ(calls[1].looks, 1);
  EXPECT_EQ(calls[1].key, calls[0].key);
  EXPECT_EQ(CountEvents("miss", "step_failed"), 0);
  EXPECT_EQ(CountEvents("miss", "step_started"), 7);  // one per step: s2 started once
}

TEST_F(EngineLimitTest, TheRequestSurvivesARestartAndARetryStartsOutsideTheClassAgain) {
  slot_.fail_first_build = true;
  Start("limited", "client1", json::object(), "retry");
  RunDue();  // attempt 1 asks
  Restart();
  clock_.Advance(std::chrono::milliseconds(10));
  RunDue();  // attempt 1 in the class (the task said so, not this process): fails
  EXPECT_EQ(StepOf(Get("retry"), "s2")["status"], "retrying");
  clock_.Advance(std::chrono::seconds(1));
  RunDue();  // attempt 2 asks again
  clock_.Advance(std::chrono::milliseconds(10));
  RunDue();  // and builds
  EXPECT_EQ(Get("retry").instance.status, "completed");
  auto calls = slot_.calls();
  ASSERT_EQ(calls.size(), 4u);
  const std::vector<std::pair<int, bool>> expected = {{1, false}, {1, true}, {2, false}, {2, true}};
  for (size_t i = 0; i < calls.size(); ++i) {
    EXPECT_EQ(calls[i].attempt, expected[i].first) << i;
    EXPECT_EQ(calls[i].limited, expected[i].second) << i;
  }
}

// An activity that asks for its class where that means nothing.
class AlwaysAsks : public Activity {
 public:
  Result<json> Run(const ActivityCall& call) override {
    if (call.step != "s2") return json::object();
    return NeedsLimit({{"state", "waiting_for_build_slot"}});
  }
};

TEST_F(EngineLimitTest, NeedsLimitWhereItMeansNothingFailsTheAttemptInsteadOfSpinning) {
  AlwaysAsks asks;
  engine().RegisterActivity("always_asks", asks);
  WorkflowType plain = SevenStepType("plain_asks", "always_asks", FastRetry());
  ASSERT_TRUE(engine().RegisterType(plain).ok());
  WorkflowType limited = SevenStepType("limited_asks", "always_asks", FastRetry());
  limited.states.at("s2").limit_class = "build";
  limited.states.at("s2").limit_on_request = true;
  ASSERT_TRUE(engine().RegisterType(limited).ok());

  Start("plain_asks", "client1", json::object(), "plain");
  RunDue();
  json s2 = StepOf(Get("plain"), "s2");
  EXPECT_EQ(s2["status"], "retrying") << s2.dump();
  EXPECT_EQ(s2["error"]["code"], "internal");
  EXPECT_NE(s2["error"]["message"].get<std::string>().find("without limit_on_request"),
            std::string::npos);

  Start("limited_asks", "client1", json::object(), "twice");
  RunDue();  // asks outside the class: fine, the task moves to the class
  EXPECT_EQ(StepOf(Get("twice"), "s2")["status"], "waiting");
  clock_.Advance(std::chrono::milliseconds(10));
  RunDue();  // asks again inside it: a bug of the activity
  s2 = StepOf(Get("twice"), "s2");
  EXPECT_EQ(s2["status"], "retrying") << s2.dump();
  EXPECT_NE(s2["error"]["message"].get<std::string>().find("already runs in its limit class"),
            std::string::npos);
}

}  // namespace
}  // namespace slipway::engine
