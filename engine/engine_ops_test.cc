// Ops verbs (cancel, resume, signal) and per-tenant serialisation.
#include <gtest/gtest.h>

#include <thread>

#include "engine/testing/engine_fixture.h"

namespace slipway::engine {
namespace {

using nlohmann::json;
using testing::EngineFixture;
class EngineOpsTest : public EngineFixture {};

TEST_F(EngineOpsTest, CancelWhileWaitingEndsCancelledAndDropsItsTimer) {
  Start("routed", "client1", {{"approval_timeout_s", 60}}, "wf-1");
  RunDue();
  auto w = engine().Cancel("wf-1", Caller{"ops:alice", "", "req-1", "customer asked"});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->instance.status, "cancelled");
  EXPECT_TRUE(store_->TasksOf("wf-1")->empty());
  auto h = History("wf-1");
  EXPECT_EQ(h.back().type, "workflow_cancelled");
  EXPECT_EQ(h.back().actor, "ops:alice");
  EXPECT_EQ(json::parse(h.back().data_json)["reason"], "customer asked");
}

TEST_F(EngineOpsTest, CancelOfAFinishedWorkflowIsRefused) {
  Start("seven", "client1", json::object(), "wf-1");
  RunDue();
  EXPECT_EQ(engine().Cancel("wf-1", Caller{}).status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(engine().Cancel("nope", Caller{}).status().code(), Code::kNotFound);
}

TEST_F(EngineOpsTest, CancelWhileAnActivityRunsCancelsItsToken) {
  bool saw_cancel = false;
  activity_.SetHook([&](const ActivityCall& call) {
    if (call.step != "s2") return;
    auto w = engine().Cancel("wf-1", Caller{"ops:alice"});
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    EXPECT_EQ(w->instance.status, "cancelling");
    saw_cancel = call.cancelled();
  });
  Start("seven", "client1", json::object(), "wf-1");
  RunDue();
  EXPECT_TRUE(saw_cancel);
  Workflow w = Get("wf-1");
  EXPECT_EQ(w.instance.status, "cancelled");
  EXPECT_EQ(activity_.attempts("s3"), 0);
  EXPECT_TRUE(store_->TasksOf("wf-1")->empty());
}

TEST_F(EngineOpsTest, OnlyAFailedWorkflowCanBeResumed) {
  Start("routed", "client1", json::object(), "wf-1");
  EXPECT_EQ(engine().Resume("wf-1", Caller{}).status().code(), Code::kFailedPrecondition);
}

TEST_F(EngineOpsTest, AFailureAfterRollbackResumesWhereTheTableSays) {
  activity_.Script("check", {Permanent("bad")});
  Start("routed", "client1", json::object(), "wf-1");
  RunDue();
  ASSERT_TRUE(engine().Signal("wf-1", "approve", json::object(), Caller{}).ok());
  RunDue();
  ASSERT_EQ(Get("wf-1").instance.status, "failed");
  ASSERT_TRUE(engine().Resume("wf-1", Caller{"ops:alice"}).ok());
  RunDue();
  EXPECT_EQ(Get("wf-1").instance.status, "completed");
  EXPECT_EQ(activity_.attempts("check"), 2);
}

TEST_F(EngineOpsTest, ASignalTheStateDoesNotTakeIsRefused) {
  Start("routed", "client1", json::object(), "wf-1");
  EXPECT_EQ(engine().Signal("wf-1", "approve", json::object(), Caller{}).status().code(),
            Code::kFailedPrecondition);  // still building
  RunDue();
  EXPECT_EQ(engine().Signal("wf-1", "explode", json::object(), Caller{}).status().code(),
            Code::kFailedPrecondition);
  EXPECT_EQ(Get("wf-1").instance.status, "waiting");
}

TEST_F(EngineOpsTest, ASignalRecordsWhoSentItAndWhy) {
  Start("routed", "client1", json::object(), "wf-1");
  RunDue();
  Caller c{"tenant:client1", "192.0.2.7", "req-42", "looks good"};
  ASSERT_TRUE(engine().Signal("wf-1", "approve", {{"note", "ok"}}, c).ok());
  for (const auto& e : History("wf-1")) {
    if (e.type != "signal_received") continue;
    EXPECT_EQ(e.actor, "tenant:client1");
    json d = json::parse(e.data_json);
    EXPECT_EQ(d["name"], "approve");
    EXPECT_EQ(d["address"], "192.0.2.7");
    EXPECT_EQ(d["request_id"], "req-42");
    EXPECT_EQ(d["reason"], "looks good");
  }
}

TEST_F(EngineOpsTest, OneSerialWorkflowPerTenantAtATimeInFifoOrder) {
  Start("serial", "client1", json::object(), "a");
  Start("serial", "client1", json::object(), "b");
  Start("serial", "client1", json::object(), "c");
  Start("serial", "client2", json::object(), "x");
  activity_.SetHook([&](const ActivityCall& call) {
    // While one runs, the others of its tenant wait.
    if (call.workflow_id == "a") {
      EXPECT_EQ(Get("b").instance.status, "queued");
      EXPECT_EQ(Get("b").queued_behind, "a");
      EXPECT_EQ(Get("c").queued_behind, "b");
    }
  });
  RunDue();
  for (const char* id : {"a", "b", "c", "x"}) EXPECT_EQ(Get(id).instance.status, "completed");
  std::vector<std::string> order;
  for (const auto& c : activity_.calls()) {
    if (c.step == "s1" && c.workflow_id != "x") order.push_back(c.workflow_id);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"a", "b", "c"}));
  // No overlap: a's last step ran before b's first.
  auto calls = activity_.calls();
  size_t last_a = 0, first_b = calls.size();
  for (size_t i = 0; i < calls.size(); ++i) {
    if (calls[i].workflow_id == "a") last_a = i;
    if (calls[i].workflow_id == "b") first_b = std::min(first_b, i);
  }
  EXPECT_LT(last_a, first_b);
}

TEST_F(EngineOpsTest, AFailedOrCancelledHeadReleasesTheNextOne) {
  activity_.Script("s1", {Permanent("broken")});
  Start("serial", "client1", json::object(), "a");
  Start("serial", "client1", json::object(), "b");
  Start("serial", "client1", json::object(), "c");
  RunDue();
  EXPECT_EQ(Get("a").instance.status, "failed");
  EXPECT_EQ(Get("b").instance.status, "completed");
  EXPECT_EQ(Get("c").instance.status, "completed");
  // Resume puts the failed one back into its tenant's queue.
  ASSERT_TRUE(engine().Resume("a", Caller{"ops:alice"}).ok());
  RunDue();
  EXPECT_EQ(Get("a").instance.status, "completed");
}

TEST_F(EngineOpsTest, CancellingAQueuedWorkflowTakesItOutOfTheQueue) {
  activity_.SetHook([&](const ActivityCall& call) {
    if (call.workflow_id == "a" && call.step == "s1") {
      ASSERT_TRUE(engine().Cancel("b", Caller{"ops:alice"}).ok());
    }
  });
  Start("serial", "client1", json::object(), "a");
  Start("serial", "client1", json::object(), "b");
  Start("serial", "client1", json::object(), "c");
  RunDue();
  EXPECT_EQ(Get("b").instance.status, "cancelled");
  EXPECT_EQ(Get("c").instance.status, "completed");
  EXPECT_TRUE(store_->SerialQueue("serial:client1")->empty());
}

}  // namespace
}  // namespace slipway::engine

namespace slipway::engine {
namespace {

class EngineWaitTest : public testing::EngineFixture {};

TEST_F(EngineWaitTest, ALongPollAnswersOnTheChangeNotAtItsTimeout) {
  Start("routed", "client1", nlohmann::json::object(), "wf-1");
  RunDue();
  int64_t version = Get("wf-1").instance.version;
  std::thread signaller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_TRUE(engine().Signal("wf-1", "approve", nlohmann::json::object(), Caller{}).ok());
  });
  auto start = std::chrono::steady_clock::now();
  auto w = engine().WaitForChange("wf-1", version, std::chrono::seconds(60));
  auto waited = std::chrono::steady_clock::now() - start;
  signaller.join();
  ASSERT_TRUE(w.ok());
  EXPECT_GT(w->instance.version, version);
  EXPECT_LT(waited, std::chrono::seconds(30));  // answered by the change, far before 60 s
}

TEST_F(EngineWaitTest, ALongPollWithoutChangeReturnsTheSameVersion) {
  Start("routed", "client1", nlohmann::json::object(), "wf-1");
  RunDue();
  int64_t version = Get("wf-1").instance.version;
  auto w = engine().WaitForChange("wf-1", version, std::chrono::milliseconds(20));
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->instance.version, version);
  EXPECT_EQ(engine().WaitForChange("nope", 0, std::chrono::milliseconds(1)).status().code(),
            Code::kNotFound);
}

}  // namespace
}  // namespace slipway::engine

namespace slipway::engine {
namespace {

class EngineTimeoutTest : public testing::EngineFixture {};

TEST_F(EngineTimeoutTest, AnAttemptPastItsTimeoutIsCancelledAndRetried) {
  RetryPolicy p = testing::FastRetry(3);
  p.attempt_timeout_ms = 5'000;
  ASSERT_TRUE(engine().RegisterType(testing::SevenStepType("timed", "rec", p)).ok());
  bool saw_cancel = false;
  activity_.SetHook([&](const ActivityCall& call) {
    if (call.step != "s1" || call.attempt != 1) return;
    EXPECT_EQ(call.deadline_ms, clock_.NowMs() + 5'000);
    clock_.Advance(std::chrono::seconds(6));
    EXPECT_EQ(engine().CancelOverdueAttempts(), 1);  // what the scheduler's watchdog does
    saw_cancel = call.cancelled();
  });
  Start("timed", "client1", nlohmann::json::object(), "wf-1");
  RunDue();
  EXPECT_TRUE(saw_cancel);
  Workflow w = Get("wf-1");
  EXPECT_EQ(StepOf(w, "s1")["status"], "retrying");
  EXPECT_EQ(StepOf(w, "s1")["error"]["code"], "deadline_exceeded");
  clock_.Advance(std::chrono::seconds(1));
  RunDue();
  EXPECT_EQ(Get("wf-1").instance.status, "completed");
}

TEST_F(EngineTimeoutTest, AHeadPastItsDeadlineFailsAndReleasesItsTenantsQueue) {
  WorkflowType t = testing::SevenStepType("serial_dl", "rec", testing::FastRetry(0), true);
  t.deadline_ms = 60'000;
  ASSERT_TRUE(engine().RegisterType(std::move(t)).ok());
  activity_.SetHook([&](const ActivityCall& call) {
    if (call.workflow_id == "a" && call.step == "s2") activity_.Script("s2", {Unavailable("down")});
  });
  Start("serial_dl", "client1", nlohmann::json::object(), "a");
  RunDue();
  clock_.Advance(std::chrono::seconds(30));  // b's own deadline (queue time counts) is later
  Start("serial_dl", "client1", nlohmann::json::object(), "b");
  for (int i = 0; i < 70 && Get("a").instance.status != "failed"; ++i) {
    RunDue();
    clock_.Advance(std::chrono::seconds(1));
  }
  Workflow a = Get("a");
  EXPECT_EQ(a.instance.status, "failed");
  EXPECT_EQ(nlohmann::json::parse(a.instance.error_json)["code"], "deadline_exceeded");
  activity_.SetHook(nullptr);
  RunDue();
  EXPECT_EQ(Get("b").instance.status, "completed");
}

}  // namespace
}  // namespace slipway::engine
