// Restarts and storage faults: the machine is restored by replay, commits are atomic, leases
// expire, and a retried commit never duplicates history.
#include <gtest/gtest.h>

#include <functional>

#include "engine/testing/engine_fixture.h"
#include "storage/forwarding_store.h"

namespace slipway::engine {
namespace {

using nlohmann::json;
using testing::EngineFixture;
using testing::FastRetry;
using testing::SevenStepType;
class EngineRecoveryTest : public EngineFixture {};

TEST_F(EngineRecoveryTest, TheMachineIsRestoredAfterARestart) {
  // The fix-round counter lives in the MSM front-end: only a faithful replay keeps it.
  activity_.Script("build", {json{{"passed", false}}});
  activity_.Script("rebuild", {json{{"passed", false}}, json{{"passed", false}}});
  Start("routed", "client1", json::object(), "wf-1");
  engine().SetContinueSteps(false);  // one step per task, so we can stop after three
  // Run build, fix and rebuild (round 1) only.
  for (int i = 0; i < 3; ++i) {
    storage::ClaimRequest req{"engine-a", clock_.NowMs(), clock_.NowMs() + 30'000, 1, {}};
    auto tasks = store_->ClaimTasks(req);
    ASSERT_TRUE(tasks.ok());
    ASSERT_EQ(tasks->size(), 1u);
    CancellationToken token;
    ASSERT_TRUE(engine().ExecuteTask((*tasks)[0], token).ok());
  }
  ASSERT_EQ(Get("wf-1").instance.state, "fix");  // round 2 is next
  MakeEngine("engine-b");  // a new process: empty caches
  RunDue();
  Workflow w = Get("wf-1");
  EXPECT_EQ(w.instance.status, "failed");
  EXPECT_EQ(w.instance.state, "build_failed");
  EXPECT_TRUE(VerifyChain(History("wf-1")).ok());
}

// Build logs and other activity output may hold bytes that are not UTF-8: the workflow goes
// on, the bytes are replaced in what is stored, and the history chain still verifies.
TEST_F(EngineRecoveryTest, OutputThatIsNotUtf8IsStoredReplacedAndTheChainVerifies) {
  activity_.Script("s1", {json{{"log", std::string("npm ERR! \xff\xfe\x80 broken")}}});
  Start("seven", "client1", json::object(), "wf-1");
  RunDue();
  Workflow w = Get("wf-1");
  EXPECT_EQ(w.instance.status, "completed");
  json context = json::parse(w.instance.context_json);  // valid JSON, valid UTF-8
  EXPECT_EQ(context["outputs"]["s1"]["log"], "npm ERR! \uFFFD\uFFFD\uFFFD broken");
  EXPECT_TRUE(VerifyChain(History("wf-1")).ok());
}

TEST_F(EngineRecoveryTest, AFailedOutcomeCommitRunsTheAttemptAgainAfterTheLease) {
  Start("seven", "client1", json::object(), "wf-1");
  // The step_started commit succeeds, the outcome commit fails: the task stays leased.
  activity_.SetHook([&](const ActivityCall& call) {
    if (call.step == "s1" && call.attempt == 1) {
      faulty_->FailNextCommits(1, storage::testing::FaultyStore::When::kBefore);
    }
  });
  engine().RunDueWork().status().IgnoreError();
  EXPECT_EQ(activity_.attempts("s1"), 1);
  EXPECT_EQ(Get("wf-1").instance.status, "running");
  clock_.Advance(std::chrono::seconds(31));  // the lease expires
  RunDue();
  Workflow w = Get("wf-1");
  EXPECT_EQ(w.instance.status, "completed");
  auto calls = activity_.calls();
  ASSERT_GE(calls.size(), 2u);
  EXPECT_EQ(calls[0].idempotency_key, calls[1].idempotency_key);  // same effect, found again
  EXPECT_EQ(StepOf(w, "s1")["attempts"], 2);
  EXPECT_TRUE(VerifyChain(History("wf-1")).ok());
}

TEST_F(EngineRecoveryTest, AnAmbiguousOutcomeCommitDoesNotDuplicateHistory) {
  Start("seven", "client1", json::object(), "wf-1");
  activity_.SetHook([&](const ActivityCall& call) {
    if (call.step == "s3") faulty_->FailNextCommits(1, storage::testing::FaultyStore::When::kAfter);
  });
  engine().RunDueWork().status().IgnoreError();
  activity_.SetHook(nullptr);
  clock_.Advance(std::chrono::seconds(31));
  RunDue();
  Workflow w = Get("wf-1");
  EXPECT_EQ(w.instance.status, "completed");
  EXPECT_EQ(activity_.attempts("s3"), 1);  // its outcome did land: s3 is not redone
  // The same commit had started s4 (a continuation); its owner lost track of it, so s4
  // runs again as attempt 2 once the lease expires, with the same idempotency key.
  EXPECT_EQ(activity_.attempts("s4"), 1);
  EXPECT_EQ(StepOf(w, "s4")["attempts"], 2);
  auto h = History("wf-1");
  EXPECT_EQ(h.size(), 18u);  // 16, s4's second step_started, the step_failed of its lost attempt 1
  EXPECT_TRUE(VerifyChain(h).ok());
}

TEST_F(EngineRecoveryTest, AnExpiredLeaseIsReclaimedByAnotherEngine) {
  Start("seven", "client1", json::object(), "wf-1");
  // Engine "dead" claims s1 and never finishes.
  storage::ClaimRequest req{"dead", clock_.NowMs(), clock_.NowMs() + 30'000, 10, {}};
  ASSERT_EQ(store_->ClaimTasks(req)->size(), 1u);
  MakeEngine("engine-b");
  EXPECT_EQ(RunDue(), 0);  // still leased by the dead engine
  clock_.Advance(std::chrono::seconds(30));
  EXPECT_EQ(RunDue(), 1);
  EXPECT_EQ(Get("wf-1").instance.status, "completed");
  auto stats = store_->Stats();
  EXPECT_EQ(stats->leased_tasks, 0);
}

TEST_F(EngineRecoveryTest, AStaleEngineCannotRecordOverANewerOne) {
  Start("seven", "client1", json::object(), "wf-1");
  storage::ClaimRequest req{"slow", clock_.NowMs(), clock_.NowMs() + 30'000, 10, {}};
  auto slow_tasks = store_->ClaimTasks(req);
  ASSERT_EQ(slow_tasks->size(), 1u);
  clock_.Advance(std::chrono::seconds(31));
  RunDue();  // engine-a reclaims and completes everything
  ASSERT_EQ(Get("wf-1").instance.status, "completed");
  // The slow owner wakes up and tries to run its stale task: nothing changes.
  CancellationToken token;
  engine().ExecuteTask((*slow_tasks)[0], token).IgnoreError();
  EXPECT_EQ(History("wf-1").size(), 16u);
}

// Seen with three nodes on PostgreSQL: a node paused past its lease woke up and started an
// attempt of a task another node had claimed meanwhile (and was running): it recorded that
// node's attempt as lost and its own as started. The other node's outcome was then stale, it
// dropped the task, and the workflow waited forever. Every commit a step runner makes now
// holds the claim's lease: the woken node starts nothing and calls no activity.
TEST_F(EngineRecoveryTest, ANodeWhoseLeaseWasTakenOverStartsNoAttempt) {
  Start("seven", "client1", json::object(), "wf-1");
  storage::ClaimRequest slow_req{"slow", clock_.NowMs(), clock_.NowMs() + 30'000, 1, {}};
  auto slow = store_->ClaimTasks(slow_req);
  ASSERT_EQ(slow->size(), 1u);
  clock_.Advance(std::chrono::seconds(31));
  storage::ClaimRequest b_req{"engine-b", clock_.NowMs(), clock_.NowMs() + 30'000, 1, {}};
  auto b = store_->ClaimTasks(b_req);
  ASSERT_EQ(b->size(), 1u);
  ASSERT_GT((*b)[0].lease_token, (*slow)[0].lease_token);
  CancellationToken token;
  Status st = engine().ExecuteTask((*slow)[0], token);  // the paused node wakes up
  EXPECT_EQ(st.code(), Code::kConflict) << st.ToString();
  EXPECT_EQ(activity_.attempts("s1"), 0);
  for (const auto& e : History("wf-1")) {
    EXPECT_EQ(e.data_json.find("\"slow\""), std::string::npos) << e.type << " " << e.data_json;
  }
  // The new holder runs the workflow through.
  EXPECT_TRUE(engine().ExecuteTask((*b)[0], token).ok());
  RunDue();
  EXPECT_EQ(Get("wf-1").instance.status, "completed");
  EXPECT_EQ(activity_.attempts("s1"), 1);
}

// A node reads a workflow in two statements: the instance, then its history. Runs
// `meanwhile` (another node's commit) once, between the two.
class CommitsBetweenReads final : public storage::ForwardingStore {
 public:
  CommitsBetweenReads(storage::Store& inner, std::function<void()> meanwhile)
      : ForwardingStore(inner), meanwhile_(std::move(meanwhile)) {}
  Result<std::vector<storage::HistoryEvent>> History(const std::string& id, int64_t after,
                                                     int limit) override {
    if (meanwhile_) std::exchange(meanwhile_, nullptr)();
    return ForwardingStore::History(id, after, limit);
  }

 private:
  std::function<void()> meanwhile_;
};

// Seen with three nodes on PostgreSQL: a node whose lease had been taken over replayed the
// other node's newer events onto the older instance it had just read, and reported the
// workflow corrupt. The replay stops at the instance's own last event; the stale node's
// commit is then refused (fenced), and the workflow goes on.
TEST_F(EngineRecoveryTest, AReplayIgnoresEventsCommittedBetweenItsTwoReads) {
  Start("seven", "client1", json::object(), "wf-1");
  storage::ClaimRequest req{"engine-b", clock_.NowMs(), clock_.NowMs() + 30'000, 1, {}};
  auto b_tasks = store_->ClaimTasks(req);
  ASSERT_EQ(b_tasks->size(), 1u);
  CommitsBetweenReads racing(*faulty_, [&] {
    clock_.Advance(std::chrono::seconds(31));  // engine-b's lease expired: engine-a takes
    EXPECT_GE(RunDue(), 1);                    // s1 over (and runs the rest)
  });
  EngineOptions o;
  o.owner = "engine-b";
  o.lease_ms = 30'000;
  o.quarantine_after_lost = 0;  // its first read is then the step start's (which reports)
  Engine b(racing, clock_, failpoints_, o);
  b.RegisterActivity("rec", activity_);
  ASSERT_TRUE(b.RegisterType(SevenStepType("seven", "rec", FastRetry())).ok());
  CancellationToken token;
  Status st = b.ExecuteTask((*b_tasks)[0], token);
  EXPECT_NE(st.code(), Code::kCorruption) << st.ToString();
  RunDue();
  EXPECT_EQ(Get("wf-1").instance.status, "completed");
  EXPECT_EQ(activity_.attempts("s2"), 1);
  EXPECT_TRUE(VerifyChain(History("wf-1")).ok());
}

TEST_F(EngineRecoveryTest, TimersSurviveARestart) {
  activity_.Script("s1", {Unavailable("503")});
  Start("seven", "client1", json::object(), "wf-1");
  RunDue();
  MakeEngine("engine-b");
  clock_.Advance(std::chrono::seconds(1));
  RunDue();
  EXPECT_EQ(Get("wf-1").instance.status, "completed");
}

}  // namespace
}  // namespace slipway::engine
