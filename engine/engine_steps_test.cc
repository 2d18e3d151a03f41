// Steps, attempts, retries on durable timers, routing, failure and resume.
#include <gtest/gtest.h>

#include "engine/base/redact.h"
#include "engine/testing/engine_fixture.h"

namespace slipway::engine {
namespace {

using nlohmann::json;
using testing::EngineFixture;
class EngineStepsTest : public EngineFixture {};

TEST_F(EngineStepsTest, HappyPathCompletesAndRecordsEveryAttempt) {
  Workflow w = Start("seven", "client1", json::object(), "wf-1");
  // One task: each succeeded step goes straight on with the next in the same task row.
  EXPECT_EQ(RunDue(), 1);
  EXPECT_EQ(activity_.calls().size(), 7u);
  w = Get("wf-1");
  EXPECT_EQ(w.instance.status, "completed");
  for (const auto& s : w.steps) {
    EXPECT_EQ(s["status"], "succeeded");
    EXPECT_EQ(s["attempts"], 1);
  }
  auto h = History("wf-1");
  // started + 7 x (step_started, step_succeeded) + completed
  EXPECT_EQ(h.size(), 16u);
  EXPECT_TRUE(VerifyChain(h).ok());
  auto tasks = store_->TasksOf("wf-1");
  EXPECT_TRUE(tasks->empty());
}

TEST_F(EngineStepsTest, RecentStepSamplesGiveDurationsAndAttemptsOfFinishedWorkflowsOnly) {
  activity_.SetHook([&](const ActivityCall& call) {
    if (call.workflow_id == "done") clock_.Advance(std::chrono::milliseconds(40));
  });
  activity_.Script("s3", {Unavailable("503")});
  Start("seven", "client1", json::object(), "done");
  RunDue();
  clock_.Advance(std::chrono::seconds(1));
  RunDue();
  ASSERT_EQ(Get("done").instance.status, "completed");
  Start("serial", "client2", json::object(), "queued");  // not finished: no samples
  auto samples = engine().RecentStepSamples(100);
  ASSERT_TRUE(samples.ok()) << samples.status().ToString();
  ASSERT_EQ(samples->size(), 7u);
  for (const auto& s : *samples) {
    EXPECT_EQ(s.type, "seven");
    EXPECT_EQ(s.status, "succeeded");
    if (s.step == "s3") {
      EXPECT_EQ(s.attempts, 2);
      EXPECT_EQ(s.duration_ms, 40 + 1000 + 40);  // the first attempt, its backoff, the second
    } else {
      EXPECT_EQ(s.attempts, 1);
      EXPECT_EQ(s.duration_ms, 40);
    }
  }
}

TEST_F(EngineStepsTest, ARetryWaitsOnADurableTimerWithTheSameIdempotencyKey) {
  activity_.Script("s2", {Unavailable("503"), Unavailable("503")});
  Start("seven", "client1", json::object(), "wf-1");
  RunDue();
  Workflow w = Get("wf-1");
  EXPECT_EQ(StepOf(w, "s2")["status"], "retrying");
  EXPECT_FALSE(StepOf(w, "s2")["next_attempt_at"].is_null());
  EXPECT_EQ(activity_.attempts("s2"), 1);
  clock_.Advance(std::chrono::milliseconds(999));
  RunDue();
  EXPECT_EQ(activity_.attempts("s2"), 1);  // not before its time
  clock_.Advance(std::chrono::milliseconds(1));
  RunDue();
  EXPECT_EQ(activity_.attempts("s2"), 2);  // 1 s after the first failure
  clock_.Advance(std::chrono::seconds(2));
  RunDue();
  EXPECT_EQ(activity_.attempts("s2"), 3);  // 2 s after the second
  w = Get("wf-1");
  EXPECT_EQ(w.instance.status, "completed");
  EXPECT_EQ(StepOf(w, "s2")["attempts"], 3);
  std::set<std::string> keys;
  for (const auto& c : activity_.calls()) {
    if (c.step == "s2") keys.insert(c.idempotency_key);
  }
  EXPECT_EQ(keys.size(), 1u);
  int failed = 0;
  for (const auto& e : History("wf-1")) failed += e.type == "step_failed" ? 1 : 0;
  EXPECT_EQ(failed, 2);
}

TEST_F(EngineStepsTest, WithoutContinuationEachStepIsItsOwnTask) {
  engine().SetContinueSteps(false);
  Start("seven", "client1", json::object(), "wf-1");
  EXPECT_EQ(RunDue(), 7);
  EXPECT_EQ(Get("wf-1").instance.status, "completed");
  EXPECT_EQ(History("wf-1").size(), 16u);
}

TEST_F(EngineStepsTest, RetryAfterFromTheErrorIsHonoured) {
  Status limited = Unavailable("429");
  limited.WithRetryAfter(8'000);  // below FastRetry's max interval (10 s), which caps it
  activity_.Script("s1", {limited});
  Start("seven", "client1", json::object(), "wf-1");
  RunDue();
  clock_.Advance(std::chrono::seconds(7));
  RunDue();
  EXPECT_EQ(activity_.attempts("s1"), 1);
  clock_.Advance(std::chrono::seconds(1));
  RunDue();
  EXPECT_EQ(Get("wf-1").instance.status, "completed");
}

TEST_F(EngineStepsTest, APermanentErrorFailsTheWorkflowAtItsStep) {
  activity_.Script("s3", {Permanent("repository not found")});
  Start("seven", "client1", json::object(), "wf-1");
  RunDue();
  Workflow w = Get("wf-1");
  EXPECT_EQ(w.instance.status, "failed");
  EXPECT_EQ(w.current_step, "s3");
  EXPECT_EQ(StepOf(w, "s3")["status"], "failed");
  EXPECT_EQ(StepOf(w, "s4")["status"], "pending");
  json error = json::parse(w.instance.error_json);
  EXPECT_EQ(error["step"], "s3");
  EXPECT_EQ(error["code"], "permanent");
  EXPECT_EQ(activity_.attempts("s3"), 1);
}

TEST_F(EngineStepsTest, ResumeContinuesAtTheFailedStepWithAFreshBudget) {
  activity_.Script("s2", {Unavailable("x"), Unavailable("x"), Unavailable("x"), Unavailable("x")});
  Start("seven", "client1", json::object(), "wf-1");
  for (int i = 0; i < 5; ++i) {
    RunDue();
    clock_.Advance(std::chrono::seconds(10));
  }
  ASSERT_EQ(Get("wf-1").instance.status, "failed");
  EXPECT_EQ(activity_.attempts("s2"), 3);
  Caller ops{"ops:alice", "10.0.0.1", "req-9", "upstream fixed"};
  auto r = engine().Resume("wf-1", ops);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->instance.status, "running");
  RunDue();  // attempt 4 fails (budget 1 of 3), then a retry timer
  clock_.Advance(std::chrono::seconds(10));
  RunDue();
  Workflow w = Get("wf-1");
  EXPECT_EQ(w.instance.status, "completed");
  EXPECT_EQ(activity_.attempts("s1"), 1);  // done steps are not redone
  auto calls = activity_.calls();
  EXPECT_EQ(calls.back().step, "s7");
  bool saw_resume = false;
  for (const auto& e : History("wf-1")) {
    if (e.type != "workflow_resumed") continue;
    saw_resume = true;
    EXPECT_EQ(e.actor, "ops:alice");
    json d = json::parse(e.data_json);
    EXPECT_EQ(d["reason"], "upstream fixed");
    EXPECT_EQ(d["request_id"], "req-9");
  }
  EXPECT_TRUE(saw_resume);
  for (const auto& c : calls) {
    if (c.step != "s2") continue;
    EXPECT_EQ(c.idempotency_key, c.attempt > 3 ? "wf-1/s2#r1" : "wf-1/s2");
  }
}

TEST_F(EngineStepsTest, APassingBuildSkipsTheFixSteps) {
  Start("routed", "client1", json::object(), "wf-1");
  RunDue();
  Workflow w = Get("wf-1");
  EXPECT_EQ(w.instance.status, "waiting");
  EXPECT_EQ(w.current_step, "approval");
  EXPECT_EQ(StepOf(w, "fix")["status"], "skipped");
  EXPECT_EQ(StepOf(w, "rebuild")["status"], "skipped");
  ASSERT_TRUE(engine().Signal("wf-1", "approve", json::object(), Caller{"ops:bob"}).ok());
  RunDue();
  w = Get("wf-1");
  EXPECT_EQ(w.instance.status, "completed");
  EXPECT_EQ(StepOf(w, "undo")["status"], "skipped");
}

TEST_F(EngineStepsTest, AFailingBuildIsFixedAndRebuilt) {
  activity_.Script("build", {json{{"passed", false}}});
  Start("routed", "client1", json::object(), "wf-1");
  RunDue();
  Workflow w = Get("wf-1");
  EXPECT_EQ(StepOf(w, "fix")["status"], "succeeded");
  EXPECT_EQ(StepOf(w, "rebuild")["status"], "succeeded");
  EXPECT_EQ(w.current_step, "approval");
}

TEST_F(EngineStepsTest, ABuildThatStaysBrokenFailsAfterTwoRounds) {
  activity_.Script("build", {json{{"passed", false}}});
  activity_.Script("rebuild", {json{{"passed", false}}, json{{"passed", false}}});
  Start("routed", "client1", json::object(), "wf-1");
  RunDue();
  Workflow w = Get("wf-1");
  EXPECT_EQ(w.instance.status, "failed");
  EXPECT_EQ(activity_.attempts("fix"), 2);
  // The second round is a new effect: its own idempotency key.
  std::set<std::string> keys;
  for (const auto& c : activity_.calls()) {
    if (c.step == "fix") keys.insert(c.idempotency_key);
  }
  EXPECT_EQ(keys, (std::set<std::string>{"wf-1/fix", "wf-1/fix#v2"}));
  EXPECT_EQ(json::parse(w.instance.error_json)["message"], "build still failing after fixes");
}

TEST_F(EngineStepsTest, AnErrorsDetailsReachTheStepAndTheWorkflowErrorRedacted) {
  activity_.Script("s3", {Permanent("build failed").WithDetails(
                              R"({"errors": [{"file": "src/a.ts", "line": 3}], "token": "t0p"})")});
  Start("seven", "client1", json::object(), "wf-1");
  RunDue();
  Workflow w = Get("wf-1");
  ASSERT_EQ(w.instance.status, "failed");
  json error = w.ToJson()["error"];  // what GET /v1/workflows/{id} serves
  EXPECT_EQ(error["step"], "s3");
  EXPECT_EQ(error["message"], "build failed");
  EXPECT_EQ(error["details"]["errors"][0]["file"], "src/a.ts");
  EXPECT_EQ(error["details"]["errors"][0]["line"], 3);
  EXPECT_EQ(error["details"]["token"], kRedacted);
  EXPECT_EQ(StepOf(w, "s3")["error"]["details"]["errors"][0]["line"], 3);
  EXPECT_EQ(StepOf(w, "s3")["error"]["details"]["token"], kRedacted);
  for (const auto& e : History("wf-1")) {
    if (e.type != "step_failed") continue;
    EXPECT_EQ(json::parse(e.data_json)["error"]["details"]["errors"][0]["file"], "src/a.ts");
    EXPECT_EQ(e.data_json.find("t0p"), std::string::npos);
  }
  EXPECT_FALSE(error.contains("retry_after_ms"));
  EXPECT_EQ(ErrorJson(Permanent("x").WithDetails("plain {text"))["details"], "plain {text");
  EXPECT_FALSE(ErrorJson(Permanent("x")).contains("details"));
}

// A build that fails routes on its output to the fix; the steps view shows it as failed.
TEST_F(EngineStepsTest, AFailureTheTableRoutesShowsTheStepFailedAndStillRoutes) {
  Status broken = Permanent("build failed").WithDetails(R"({"errors": [{"file": "a.ts"}]})");
  activity_.Script("build", {WithStepError(json{{"passed", false}}, broken)});
  Start("routed", "client1", json::object(), "wf-1");
  RunDue();
  Workflow w = Get("wf-1");
  EXPECT_EQ(w.current_step, "approval");
  EXPECT_EQ(StepOf(w, "build")["status"], "failed");
  EXPECT_EQ(StepOf(w, "build")["error"]["code"], "permanent");
  EXPECT_EQ(StepOf(w, "build")["error"]["details"]["errors"][0]["file"], "a.ts");
  EXPECT_FALSE(StepOf(w, "build")["ended_at"].is_null());
  EXPECT_EQ(StepOf(w, "fix")["status"], "succeeded");
  EXPECT_EQ(StepOf(w, "rebuild")["status"], "succeeded");
  EXPECT_EQ(activity_.attempts("build"), 1);  // not retried: the machine saw a success
  auto types = EventTypes("wf-1");
  EXPECT_NE(std::find(types.begin(), types.end(), "step_succeeded:build"), types.end());
  EXPECT_EQ(std::find(types.begin(), types.end(), "step_failed:build"), types.end());
  EXPECT_TRUE(VerifyChain(History("wf-1")).ok());
  MakeEngine();  // a restart replays the history through the table
  ASSERT_TRUE(engine().Signal("wf-1", "approve", json::object(), Caller{"ops:bob"}).ok());
  RunDue();
  w = Get("wf-1");
  EXPECT_EQ(w.instance.status, "completed");
  EXPECT_EQ(StepOf(w, "build")["status"], "failed");
}

TEST_F(EngineStepsTest, ARoutedFailureIsTheCauseOfAFinalFailedState) {
  Status broken = Permanent("still broken").WithDetails(R"({"errors": [{"line": 7}]})");
  json failed = WithStepError(json{{"passed", false}}, broken);
  activity_.Script("build", {failed});
  activity_.Script("rebuild", {failed, failed});
  Start("routed", "client1", json::object(), "wf-1");
  RunDue();
  Workflow w = Get("wf-1");
  ASSERT_EQ(w.instance.status, "failed");
  json error = json::parse(w.instance.error_json);
  EXPECT_EQ(error["message"], "build still failing after fixes");
  EXPECT_EQ(error["cause"]["message"], "still broken");
  EXPECT_EQ(error["cause"]["details"]["errors"][0]["line"], 7);
  EXPECT_EQ(StepOf(w, "rebuild")["status"], "failed");
}

TEST_F(EngineStepsTest, AFailedCheckIsRolledBackAndFailsTheWorkflow) {
  activity_.Script("check", {Permanent("site returns 500")});
  Start("routed", "client1", json::object(), "wf-1");
  RunDue();
  ASSERT_TRUE(engine().Signal("wf-1", "approve", json::object(), Caller{}).ok());
  RunDue();
  Workflow w = Get("wf-1");
  EXPECT_EQ(w.instance.status, "failed");
  EXPECT_EQ(StepOf(w, "undo")["status"], "succeeded");
  json error = json::parse(w.instance.error_json);
  EXPECT_EQ(error["message"], "check failed; rolled back");
  EXPECT_EQ(error["cause"]["message"], "site returns 500");
}

TEST_F(EngineStepsTest, AnApprovalWaitTimesOutOnItsDurableTimer) {
  Start("routed", "client1", {{"approval_timeout_s", 60}}, "wf-1");
  RunDue();
  clock_.Advance(std::chrono::seconds(59));
  RunDue();
  EXPECT_EQ(Get("wf-1").instance.status, "waiting");
  clock_.Advance(std::chrono::seconds(1));
  RunDue();
  Workflow w = Get("wf-1");
  EXPECT_EQ(w.instance.status, "failed");
  EXPECT_EQ(json::parse(w.instance.error_json)["message"], "rejected at approval");
}

TEST_F(EngineStepsTest, RejectEndsTheWorkflow) {
  Start("routed", "client1", json::object(), "wf-1");
  RunDue();
  ASSERT_TRUE(engine().Signal("wf-1", "reject", {{"why", "not today"}}, Caller{"tenant:client1"}).ok());
  Workflow w = Get("wf-1");
  EXPECT_EQ(w.instance.status, "failed");
  EXPECT_EQ(activity_.attempts("check"), 0);
}

TEST_F(EngineStepsTest, AHistoryThatGrowsTooLargeWarnsThenFails) {
  history_.max_events = 12;
  history_.warn_events = 8;
  MakeEngine();
  activity_.Script("s1", std::vector<Result<json>>(20, Unavailable("x")));
  RetryPolicy unlimited = testing::FastRetry(0);
  ASSERT_TRUE(engine().RegisterType(testing::SevenStepType("forever", "rec", unlimited)).ok());
  Start("forever", "client1", json::object(), "wf-1");
  for (int i = 0; i < 20; ++i) {
    RunDue();
    clock_.Advance(std::chrono::seconds(20));
  }
  Workflow w = Get("wf-1");
  EXPECT_EQ(w.instance.status, "failed");
  EXPECT_EQ(json::parse(w.instance.error_json)["message"], "history size limit reached");
  auto types = EventTypes("wf-1");
  EXPECT_NE(std::find(types.begin(), types.end(), "history_size_warning"), types.end());
}

}  // namespace
}  // namespace slipway::engine
