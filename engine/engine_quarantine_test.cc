// Lost attempts and quarantine: an attempt whose process died (or lost the lease) before it
// recorded an outcome is noted in history when its task is claimed again; the third lost
// attempt in a row quarantines the step (it fails, and the table routes the failure) instead
// of letting it crash the process forever. A recorded outcome resets the count.
// The failpoint between the activity and its checkpoint stands for the death here; the real
// thing (a worker that kills itself) is tests/crash/quarantine_test.cc.
#include <gtest/gtest.h>

#include "engine/testing/engine_fixture.h"

namespace slipway::engine {
namespace {

using nlohmann::json;
using testing::EngineFixture;

constexpr char kDeath[] = "activity.after_call_before_record";

class EngineQuarantineTest : public EngineFixture {
 protected:
  // One claim of whatever is due, then the lease runs out (the process is presumed dead).
  void RunThenLoseTheLease() {
    engine().RunDueWork().status().IgnoreError();
    clock_.Advance(std::chrono::seconds(31));
  }
  std::vector<json> FailedEvents(const std::string& id) {
    std::vector<json> out;
    for (const auto& e : History(id)) {
      if (e.type != "step_failed") continue;
      json d = json::parse(e.data_json);
      d["attempt"] = e.attempt;
      d["step"] = e.step;
      out.push_back(d);
    }
    return out;
  }
};

TEST_F(EngineQuarantineTest, ThreeLostAttemptsInARowQuarantineTheStep) {
  ASSERT_TRUE(failpoints_.Arm(kDeath, "error").ok());
  Start("seven", "client1", json::object(), "wf-1");
  for (int i = 0; i < 3; ++i) RunThenLoseTheLease();
  EXPECT_EQ(activity_.attempts("s1"), 3);
  EXPECT_EQ(Get("wf-1").instance.status, "running");
  RunDue();  // the fourth claim: no fourth attempt
  EXPECT_EQ(activity_.attempts("s1"), 3);
  Workflow w = Get("wf-1");
  EXPECT_EQ(w.instance.status, "failed");
  json s1 = StepOf(w, "s1");
  EXPECT_EQ(s1["status"], "failed");
  EXPECT_EQ(s1["error"]["code"], "quarantined");
  EXPECT_EQ(s1["error"]["message"].get<std::string>().rfind(
                "the step's attempt ended the process 3 times in a row", 0),
            0u);
  json error = json::parse(w.instance.error_json);  // "seven" routes no failure: it fails
  EXPECT_EQ(error["code"], "quarantined");
  EXPECT_EQ(error["step"], "s1");
  std::vector<json> failed = FailedEvents("wf-1");
  ASSERT_EQ(failed.size(), 3u);
  EXPECT_EQ(failed[0]["error"]["code"], "attempt_lost");
  EXPECT_EQ(failed[0]["attempt"], 1);
  EXPECT_EQ(failed[1]["error"]["code"], "attempt_lost");
  EXPECT_EQ(failed[1]["attempt"], 2);
  EXPECT_EQ(failed[2]["error"]["code"], "quarantined");
  EXPECT_EQ(failed[2]["attempt"], 3);
  EXPECT_EQ(failed[2]["retry"], false);
  EXPECT_TRUE(store_->TasksOf("wf-1")->empty());
  EXPECT_TRUE(VerifyChain(History("wf-1")).ok());

  // A new process replays the quarantine; healthy work goes on; ops may resume the step.
  failpoints_.DisarmAll();
  MakeEngine("engine-b");
  EXPECT_EQ(Get("wf-1").instance.status, "failed");
  Start("seven", "client1", json::object(), "healthy");
  RunDue();
  EXPECT_EQ(Get("healthy").instance.status, "completed");
  ASSERT_TRUE(engine().Resume("wf-1", Caller{"ops:alice"}).ok());
  RunDue();
  EXPECT_EQ(Get("wf-1").instance.status, "completed");
}

TEST_F(EngineQuarantineTest, ARecordedOutcomeResetsTheCount) {
  ASSERT_TRUE(engine().RegisterType(
      testing::SevenStepType("patient", "rec", testing::FastRetry(10))).ok());
  // Two deaths, then a recorded failure, then two deaths more: never three in a row.
  activity_.Script("s1", {json::object(), json::object(), Unavailable("503"), json::object(),
                          json::object()});
  ASSERT_TRUE(failpoints_.Arm(kDeath, "error*2").ok());
  Start("patient", "client1", json::object(), "wf-1");
  RunThenLoseTheLease();
  RunThenLoseTheLease();
  RunDue();  // attempt 3 fails and is recorded: retrying
  EXPECT_EQ(StepOf(Get("wf-1"), "s1")["status"], "retrying");
  ASSERT_TRUE(failpoints_.Arm(kDeath, "error*2").ok());
  clock_.Advance(std::chrono::seconds(4));  // the back-off after a third attempt
  RunThenLoseTheLease();  // attempt 4 lost
  RunThenLoseTheLease();  // attempt 5 lost
  RunDue();               // attempt 6 succeeds
  Workflow w = Get("wf-1");
  EXPECT_EQ(w.instance.status, "completed");
  EXPECT_EQ(StepOf(w, "s1")["attempts"], 6);
  int lost = 0;
  for (const auto& f : FailedEvents("wf-1")) lost += f["error"]["code"] == "attempt_lost";
  EXPECT_EQ(lost, 4);
}

TEST_F(EngineQuarantineTest, ZeroTurnsQuarantineOff) {
  engine_.reset();
  EngineOptions o;
  o.owner = "engine-c";
  o.quarantine_after_lost = 0;
  engine_ = std::make_unique<Engine>(*faulty_, clock_, failpoints_, o);
  engine_->RegisterActivity("rec", activity_);
  ASSERT_TRUE(engine_->RegisterType(
      testing::SevenStepType("seven", "rec", RetryPolicy())).ok());
  ASSERT_TRUE(failpoints_.Arm(kDeath, "error*5").ok());
  Start("seven", "client1", json::object(), "wf-1");
  for (int i = 0; i < 5; ++i) RunThenLoseTheLease();
  RunDue();
  EXPECT_EQ(Get("wf-1").instance.status, "completed");
  EXPECT_EQ(activity_.attempts("s1"), 6);
}

}  // namespace
}  // namespace slipway::engine
