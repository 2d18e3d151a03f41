// Lease renewal that fails stops the attempt: another node may take the task. The attempt's
// token is cancelled (at once when the store says the lease is gone; before the lease could
// expire when renewals keep failing), and its outcome is not recorded, even a success: the
// step is run again, as a lost attempt, once the lease has expired. Real threads, a fake clock
// for lease times, a FaultyStore for the renewals.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <thread>

#include "engine/scheduler.h"
#include "engine/testing/test_workflow.h"
#include "storage/sqlite_store.h"
#include "storage/testing/faulty_store.h"

namespace slipway::engine {
namespace {

using nlohmann::json;
using storage::testing::FaultyStore;

// The first attempt of s1 waits for its cancellation, then claims success anyway.
class StubbornActivity : public Activity {
 public:
  Result<json> Run(const ActivityCall& call) override {
    if (call.step == "s1" && call.attempt == 1) {
      started_ = true;
      auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      while (!call.cancelled() && std::chrono::steady_clock::now() < give_up) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      saw_cancel_ = call.cancelled();
      returned_ = true;
    }
    return json{{"done", true}};
  }
  std::atomic<bool> started_{false}, saw_cancel_{false}, returned_{false};
};

class SchedulerLeaseRenewalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/slipway-renew-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto s = storage::SqliteStore::Open({dir_ + "/s.db", false}, failpoints_);
    ASSERT_TRUE(s.ok());
    store_ = std::move(*s);
    faulty_ = std::make_unique<FaultyStore>(*store_);
    EngineOptions o;
    o.owner = "renewer";
    o.lease_ms = 1000;  // renewed every 333 ms (real time); expiry is on the fake clock
    engine_ = std::make_unique<Engine>(*faulty_, clock_, failpoints_, o);
    engine_->RegisterActivity("stubborn", activity_);
    ASSERT_TRUE(engine_->RegisterType(testing::SevenStepType("seven", "stubborn", RetryPolicy())).ok());
    scheduler_ = std::make_unique<Scheduler>(*engine_, SchedulerOptions{4, 20, 10'000});
  }
  void TearDown() override {
    scheduler_.reset();
    engine_.reset();
    faulty_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  template <typename Pred>
  void Await(Pred done, const char* what) {
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!done()) {
      ASSERT_LT(std::chrono::steady_clock::now(), give_up) << what;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  json S1() {
    auto w = engine_->Get("wf-1");
    for (const auto& s : w->steps) {
      if (s["name"] == "s1") return s;
    }
    return nullptr;
  }
  // After the first attempt was cancelled: nothing of it recorded, the task still there; once
  // renewals work again and the lease has expired, the step runs again and the workflow ends.
  void ExpectNotRecordedThenRunAgain() {
    Await([&] { return activity_.returned_.load(); }, "the attempt was never cancelled");
    EXPECT_TRUE(activity_.saw_cancel_);
    // The worker returns after the activity: wait for it, then look at the store.
    Await([&] { return scheduler_->tasks_run() >= 1; }, "the worker never came back");
    EXPECT_EQ(S1()["status"], "running");
    EXPECT_EQ(S1()["attempts"], 1);
    auto history = store_->History("wf-1", 0, 0);
    ASSERT_TRUE(history.ok());
    for (const auto& e : *history) EXPECT_NE(e.type, "step_succeeded");
    EXPECT_EQ(store_->TasksOf("wf-1")->size(), 1u);
    faulty_->FailRenewals(0, FaultyStore::Renewal::kError);
    clock_.Advance(std::chrono::seconds(5));  // the lease this process held has expired
    Await([&] { return engine_->Get("wf-1")->instance.status == "completed"; },
          "the step never ran again");
    EXPECT_EQ(S1()["attempts"], 2);
    int lost = 0;
    history = store_->History("wf-1", 0, 0);
    ASSERT_TRUE(history.ok());
    for (const auto& e : *history) {
      lost += e.type == "step_failed" && e.data_json.find("attempt_lost") != std::string::npos;
    }
    EXPECT_EQ(lost, 1);
  }

  std::string dir_;
  Failpoints failpoints_;
  FakeClock clock_;
  StubbornActivity activity_;
  std::unique_ptr<storage::SqliteStore> store_;
  std::unique_ptr<FaultyStore> faulty_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Scheduler> scheduler_;
};

TEST_F(SchedulerLeaseRenewalTest, ALeaseReportedLostCancelsTheAttemptAndItsOutcomeIsDropped) {
  faulty_->FailRenewals(-1, FaultyStore::Renewal::kLost);
  scheduler_->Start();
  ASSERT_TRUE(engine_->Start({"seven", "t", json::object(), "wf-1"}, Caller{}).ok());
  ExpectNotRecordedThenRunAgain();
  EXPECT_GE(faulty_->renewals_failed(), 1);
}

TEST_F(SchedulerLeaseRenewalTest, RenewalsThatKeepFailingCancelTheAttemptBeforeItsLeaseEnds) {
  faulty_->FailRenewals(-1, FaultyStore::Renewal::kError);
  scheduler_->Start();
  ASSERT_TRUE(engine_->Start({"seven", "t", json::object(), "wf-1"}, Caller{}).ok());
  Await([&] { return activity_.started_.load(); }, "the attempt never started");
  // Failed renewals with most of the lease left do not stop the attempt...
  Await([&] { return faulty_->renewals_failed() >= 2; }, "no renewal was tried");
  EXPECT_FALSE(activity_.returned_);
  // ...but once the lease would end before the next renewal, it stops.
  clock_.Advance(std::chrono::milliseconds(500));
  ExpectNotRecordedThenRunAgain();
}

}  // namespace
}  // namespace slipway::engine
