// The commit path seen from the scheduler: a worker hands its checkpoint over and takes other
// work; a workflow's next step waits for its checkpoint to be durable, and never runs when
// that checkpoint is refused. A HoldingStore holds (or refuses) one chosen checkpoint; the
// assertions are on what ran, never on durations (waits are bounded, generously).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <future>
#include <thread>

#include "engine/group_committer.h"
#include "engine/scheduler.h"
#include "engine/testing/holding_store.h"
#include "engine/testing/recording_activity.h"
#include "engine/testing/test_workflow.h"
#include "storage/sqlite_store.h"

namespace slipway::engine {
namespace {

using nlohmann::json;
using testing::HoldingStore;

constexpr auto kPatience = std::chrono::seconds(60);

bool WaitFor(const std::function<bool()>& done) {
  auto give_up = std::chrono::steady_clock::now() + kPatience;
  while (!done()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

class SchedulerCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/slipway-commit-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto s = storage::SqliteStore::Open({dir_ + "/s.db", false}, failpoints_);
    ASSERT_TRUE(s.ok());
    sqlite_ = std::move(*s);
  }
  void TearDown() override {
    scheduler_.reset();
    engine_.reset();
    store_.reset();
    sqlite_.reset();
    std::filesystem::remove_all(dir_);
  }
  // One worker; A and B are started (neither runs yet): "wf-a"'s first step outcome is held
  // or refused.
  void Make(HoldingStore::Action action) {
    store_ = std::make_unique<HoldingStore>(*sqlite_, "wf-a", "step_succeeded", action);
    EngineOptions o;
    o.owner = "commit-test";
    o.group_commit = true;
    engine_ = std::make_unique<Engine>(*store_, clock_, failpoints_, o);
    engine_->RegisterActivity("rec", activity_);
    ASSERT_TRUE(engine_->RegisterType(testing::SevenStepType("seven", "rec", RetryPolicy())).ok());
    ASSERT_TRUE(engine_->Start({"seven", "t", json::object(), "wf-a"}, Caller{}).ok());
    ASSERT_TRUE(engine_->Start({"seven", "t", json::object(), "wf-b"}, Caller{}).ok());
    SchedulerOptions so;
    so.workers = 1;
    scheduler_ = std::make_unique<Scheduler>(*engine_, so);
  }
  int Calls(const std::string& id, const std::string& step) {
    int n = 0;
    for (const auto& c : activity_.calls()) n += c.workflow_id == id && c.step == step;
    return n;
  }
  bool Leased(const std::string& id) {
    auto tasks = store_->TasksOf(id);
    if (!tasks.ok()) return false;
    for (const auto& t : *tasks) {
      if (t.lease_owner == "commit-test") return true;
    }
    return false;
  }
  std::string Status(const std::string& id) { return engine_->Get(id)->instance.status; }

  std::string dir_;
  SystemClock clock_;
  Failpoints failpoints_;
  testing::RecordingActivity activity_{clock_};
  std::unique_ptr<storage::SqliteStore> sqlite_;
  std::unique_ptr<HoldingStore> store_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Scheduler> scheduler_;
};

TEST_F(SchedulerCommitTest, TheWorkerTakesOtherWorkWhileACheckpointIsNotDurable) {
  Make(HoldingStore::Action::kHold);
  scheduler_->Start();
  ASSERT_TRUE(store_->WaitUntilPicked(kPatience));
  // The only worker is free again: it has claimed B while A's outcome is held.
  EXPECT_TRUE(WaitFor([&] { return Leased("wf-b"); }));
  EXPECT_EQ(Calls("wf-a", "s1"), 1);
  EXPECT_EQ(Calls("wf-a", "s2"), 0) << "A's next step ran before its checkpoint was durable";
  store_->Release();
  ASSERT_TRUE(WaitFor([&] { return Status("wf-a") == "completed" && Status("wf-b") == "completed"; }));
  EXPECT_EQ(Calls("wf-a", "s2"), 1);
  EXPECT_EQ(Calls("wf-b", "s7"), 1);
}

TEST_F(SchedulerCommitTest, ARefusedCheckpointDoesNotRunTheNextStep) {
  Make(HoldingStore::Action::kFail);
  scheduler_->Start();
  ASSERT_TRUE(store_->WaitUntilPicked(kPatience));
  // B runs to the end on the same worker: A's refusal did not hold anything else up.
  ASSERT_TRUE(WaitFor([&] { return Status("wf-b") == "completed"; }));
  scheduler_->Stop();
  EXPECT_EQ(Calls("wf-a", "s1"), 1);
  EXPECT_EQ(Calls("wf-a", "s2"), 0) << "A's next step ran although its checkpoint was refused";
  auto a = engine_->Get("wf-a");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->instance.status, "running");
  EXPECT_EQ(a->instance.state, "s1");  // as last durable: s1 started, its outcome unrecorded
}

// An idle committer commits a lone checkpoint at once; Submit returns before the commit
// ends, and `done` comes after it.
TEST_F(SchedulerCommitTest, SubmitReturnsBeforeTheCommitAndReportsItAfter) {
  store_ = std::make_unique<HoldingStore>(*sqlite_, "wf-x", "workflow_started",
                                          HoldingStore::Action::kHold);
  GroupCommitter committer(*store_);
  storage::Checkpoint cp;
  cp.instance.id = "wf-x";
  cp.instance.type = "seven";
  cp.instance.tenant = "t";
  cp.instance.status = "running";
  cp.instance.version = 1;
  storage::HistoryEvent e;
  e.seq = 1;
  e.type = "workflow_started";
  cp.events.push_back(e);
  cp.instance.last_seq = 1;
  std::promise<slipway::Status> result;
  committer.Submit(&cp, [&result](slipway::Status st) { result.set_value(st); });
  ASSERT_TRUE(store_->WaitUntilPicked(kPatience));  // inside the transaction, held
  auto outcome = result.get_future();
  EXPECT_EQ(outcome.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);
  store_->Release();
  EXPECT_TRUE(outcome.get().ok());
  EXPECT_EQ(sqlite_->Load("wf-x")->version, 1);
}

}  // namespace
}  // namespace slipway::engine
