// The Asio scheduler with real threads and the system clock: completion, per-tenant
// serialisation (no overlap, FIFO), global limits per activity kind, graceful stop.
// Assertions are on recorded order and counts, never on durations.
#include "engine/scheduler.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <condition_variable>
#include <filesystem>
#include <thread>

#include "engine/testing/test_workflow.h"
#include "storage/forwarding_store.h"
#include "storage/sqlite_store.h"

namespace slipway::engine {
namespace {

using nlohmann::json;

// Records start/end (a global sequence number, not time) of every call, per tenant.
class TracingActivity : public Activity {
 public:
  struct Span {
    std::string workflow_id, tenant, step;
    int64_t begin, end;
  };
  Result<json> Run(const ActivityCall& call) override {
    int64_t begin = ++clock_;
    int now = ++running_;
    int peak = peak_.load();
    while (now > peak && !peak_.compare_exchange_weak(peak, now)) {
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));  // widen overlap windows
    --running_;
    int64_t end = ++clock_;
    std::lock_guard<std::mutex> lock(mu_);
    spans_.push_back({call.workflow_id, call.tenant, call.step, begin, end});
    return json::object();
  }
  std::vector<Span> spans() {
    std::lock_guard<std::mutex> lock(mu_);
    return spans_;
  }
  int peak() const { return peak_; }

 private:
  std::atomic<int64_t> clock_{0};
  std::atomic<int> running_{0}, peak_{0};
  std::mutex mu_;
  std::vector<Span> spans_;
};

// Every step waits: NotDoneYet for `looks` looks, each due `after_ms` later (and a few ms
// more per workflow, so that the looks of different workflows fall due one at a time).
class LookingActivity : public Activity {
 public:
  int looks = 8;
  Result<json> Run(const ActivityCall& call) override {
    looks_run_++;
    if (call.looks >= looks) return json::object();
    const int64_t spread = static_cast<int64_t>(std::hash<std::string>{}(call.workflow_id) % 7);
    return NotDoneYet({{"state", "BUILDING"}}, 3 + spread);
  }
  int looks_run() const { return looks_run_; }

 private:
  std::atomic<int> looks_run_{0};
};

// Counts the claim transactions the dispatcher makes.
class CountingStore final : public storage::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  Result<std::vector<storage::Task>> ClaimTasks(const storage::ClaimRequest& r) override {
    claims_++;
    return inner_.ClaimTasks(r);
  }
  int claims() const { return claims_; }

 private:
  std::atomic<int> claims_{0};
};

class SchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/slipway-sched-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto s = storage::SqliteStore::Open({dir_ + "/s.db", false}, failpoints_);
    ASSERT_TRUE(s.ok());
    store_ = std::move(*s);
  }
  void TearDown() override {
    scheduler_.reset();
    engine_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Make(int workers, std::map<std::string, int> capacity = {},
            storage::Store* store = nullptr) {
    EngineOptions o;
    o.owner = "sched-test";
    o.group_commit = true;
    o.kind_capacity = std::move(capacity);
    engine_ = std::make_unique<Engine>(store != nullptr ? *store : *store_, clock_, failpoints_, o);
    engine_->RegisterActivity("trace", activity_);
    RetryPolicy p;
    ASSERT_TRUE(engine_->RegisterType(testing::SevenStepType("seven", "trace", p)).ok());
    ASSERT_TRUE(engine_->RegisterType(testing::SevenStepType("deployment", "trace", p, true)).ok());
    scheduler_ = std::make_unique<Scheduler>(*engine_, SchedulerOptions{workers, 50, 10'000});
  }
  // Waits (bounded) until every listed workflow is final.
  void AwaitAll(const std::vector<std::string>& ids) {
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    for (const auto& id : ids) {
      for (;;) {
        auto w = engine_->Get(id);
        ASSERT_TRUE(w.ok());
        if (status::IsFinal(w->instance.status)) break;
        ASSERT_LT(std::chrono::steady_clock::now(), give_up) << id << " never finished";
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
  }

  std::string dir_;
  SystemClock clock_;
  Failpoints failpoints_;
  TracingActivity activity_;
  std::unique_ptr<storage::SqliteStore> store_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Scheduler> scheduler_;
};

TEST_F(SchedulerTest, RunsManyWorkflowsToCompletion) {
  Make(4);
  scheduler_->Start();
  std::vector<std::string> ids;
  for (int i = 0; i < 40; ++i) {
    auto w = engine_->Start({"seven", "t" + std::to_string(i % 5), json::object(), ""}, Caller{});
    ASSERT_TRUE(w.ok());
    ids.push_back(w->instance.id);
  }
  AwaitAll(ids);
  for (const auto& id : ids) EXPECT_EQ(engine_->Get(id)->instance.status, "completed");
  EXPECT_EQ(activity_.spans().size(), 40u * 7u);
}

// Looks of waiting steps that fall due one at a time are claimed in batches: a timer-started
// claim comes at most every timer_batch_ms, and a finished look (nothing else due) makes none.
// One claim per look was the rule before (10,000 waiting deployments: 1,000 claims a second).
TEST_F(SchedulerTest, LooksFallingDueOneAtATimeAreClaimedInBatches) {
  CountingStore counting(*store_);
  Make(64, {}, &counting);
  LookingActivity looking;
  engine_->RegisterActivity("looking", looking);
  ASSERT_TRUE(engine_->RegisterType(testing::SevenStepType("waits", "looking", RetryPolicy{})).ok());
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) {
    auto w = engine_->Start({"waits", "w" + std::to_string(i), json::object(), ""}, Caller{});
    ASSERT_TRUE(w.ok());
    ids.push_back(w->instance.id);
  }
  scheduler_->Start();
  AwaitAll(ids);
  for (const auto& id : ids) EXPECT_EQ(engine_->Get(id)->instance.status, "completed");
  scheduler_.reset();  // before the activity and the store wrapper go
  engine_.reset();
  const int looks = looking.looks_run() - 20 * 7;  // calls that were looks (not first calls)
  ASSERT_EQ(looks, 20 * 7 * looking.looks);
  EXPECT_LT(counting.claims(), looks / 4) << "claims " << counting.claims() << " for " << looks
                                          << " looks";
}

// Step s2 of "gated" is limit_on_request in class "build" (like validate): tenant "holder"
// asks for the class and then holds its slot until Release(); tenants "cheap*" answer
// outside the class (a cache hit); tenant "miss" asks and builds.
class GateActivity : public Activity {
 public:
  Result<json> Run(const ActivityCall& call) override {
    if (call.step != "s2") return json::object();
    const bool cheap = call.tenant.rfind("cheap", 0) == 0;
    if (!call.limited) {
      return cheap ? json{{"from_cache", true}}
                   : NeedsLimit({{"state", "waiting_for_build_slot"}});
    }
    if (cheap) cheap_in_class_++;
    if (call.tenant == "miss") built_++;
    if (call.tenant != "holder") return json::object();
    std::unique_lock<std::mutex> lock(mu_);
    holding_ = true;
    cv_.notify_all();
    cv_.wait_for(lock, std::chrono::seconds(60), [this] { return released_; });
    return json::object();
  }
  bool AwaitHolding() {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(60), [this] { return holding_; });
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  std::atomic<int> cheap_in_class_{0}, built_{0};

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool holding_ = false, released_ = false;
};

// The one build slot is held for the whole test by "holder": cache hits still complete, and a
// miss waits (durably, no worker held) until the slot is free, then builds in the same attempt.
TEST_F(SchedulerTest, AnAttemptTakesASlotOfItsClassOnlyWhenItAsks) {
  Make(4, {{"activity:build", 1}});
  GateActivity gate;
  engine_->RegisterActivity("gate", gate);
  WorkflowType type = testing::SevenStepType("gated", "gate", RetryPolicy{});
  type.states.at("s2").limit_class = "build";
  type.states.at("s2").limit_on_request = true;
  ASSERT_TRUE(engine_->RegisterType(type).ok());
  scheduler_->Start();
  auto start = [this](const std::string& tenant) {
    auto w = engine_->Start({"gated", tenant, json::object(), ""}, Caller{});
    EXPECT_TRUE(w.ok());
    return w.ok() ? w->instance.id : std::string();
  };
  const std::string holder = start("holder");
  ASSERT_TRUE(gate.AwaitHolding());
  std::vector<std::string> cheap;
  for (int i = 0; i < 3; ++i) cheap.push_back(start("cheap" + std::to_string(i)));
  AwaitAll(cheap);
  for (const auto& id : cheap) EXPECT_EQ(engine_->Get(id)->instance.status, "completed");
  const std::string miss = start("miss");
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    json s2;
    auto w = engine_->Get(miss);
    ASSERT_TRUE(w.ok());
    for (const auto& s : w->steps) {
      if (s["name"] == "s2") s2 = s;
    }
    if (s2.value("status", "") == "waiting") {
      EXPECT_EQ(s2["progress"]["state"], "waiting_for_build_slot");
      break;
    }
    ASSERT_LT(std::chrono::steady_clock::now(), give_up) << "the miss never asked";
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(gate.built_, 0);  // the slot is still held
  gate.Release();
  AwaitAll({holder, miss});
  EXPECT_EQ(engine_->Get(miss)->instance.status, "completed");
  EXPECT_EQ(gate.built_, 1);
  EXPECT_EQ(gate.cheap_in_class_, 0);
  scheduler_.reset();  // before the activity goes
}

TEST_F(SchedulerTest, TenDeploymentsPerTenantNeverOverlapAndRunInOrder) {
  Make(8);
  std::vector<std::string> ids;
  std::map<std::string, std::vector<std::string>> started_order;
  for (int round = 0; round < 5; ++round) {
    for (int t = 0; t < 10; ++t) {
      std::string tenant = "tenant" + std::to_string(t);
      auto w = engine_->Start({"deployment", tenant, {{"round", round}}, ""}, Caller{});
      ASSERT_TRUE(w.ok());
      ids.push_back(w->instance.id);
      started_order[tenant].push_back(w->instance.id);
    }
  }
  scheduler_->Start();
  AwaitAll(ids);
  std::map<std::string, std::vector<TracingActivity::Span>> by_tenant;
  for (const auto& s : activity_.spans()) by_tenant[s.tenant].push_back(s);
  ASSERT_EQ(by_tenant.size(), 10u);
  for (auto& [tenant, spans] : by_tenant) {
    // Per workflow: [first begin, last end]; intervals of one tenant must not intersect.
    std::map<std::string, std::pair<int64_t, int64_t>> window;
    for (const auto& s : spans) {
      auto [it, fresh] = window.emplace(s.workflow_id, std::make_pair(s.begin, s.end));
      if (!fresh) {
        it->second.first = std::min(it->second.first, s.begin);
        it->second.second = std::max(it->second.second, s.end);
      }
    }
    std::vector<std::pair<int64_t, std::string>> by_begin;
    for (const auto& [id, w] : window) by_begin.push_back({w.first, id});
    std::sort(by_begin.begin(), by_begin.end());
    std::vector<std::string> ran_order;
    for (size_t i = 0; i < by_begin.size(); ++i) {
      ran_order.push_back(by_begin[i].second);
      if (i > 0) {
        EXPECT_LT(window[by_begin[i - 1].second].second, by_begin[i].first)
            << tenant << ": " << by_begin[i - 1].second << " overlaps " << by_begin[i].second;
      }
    }
    EXPECT_EQ(ran_order, started_order[tenant]) << tenant << " not FIFO";
  }
}

TEST_F(SchedulerTest, AKindCapacityLimitsConcurrencyAcrossWorkers) {
  Make(8, {{"activity:trace", 2}});
  scheduler_->Start();
  std::vector<std::string> ids;
  for (int i = 0; i < 16; ++i) {
    auto w = engine_->Start({"seven", "t" + std::to_string(i), json::object(), ""}, Caller{});
    ASSERT_TRUE(w.ok());
    ids.push_back(w->instance.id);
  }
  AwaitAll(ids);
  EXPECT_LE(activity_.peak(), 2);
  EXPECT_GE(activity_.peak(), 1);
}

TEST_F(SchedulerTest, StopLeavesNoTaskLeased) {
  Make(4);
  scheduler_->Start();
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(engine_->Start({"seven", "t" + std::to_string(i), json::object(), ""}, Caller{}).ok());
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  scheduler_->Stop();
  auto stats = store_->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->leased_tasks, 0);
}

}  // namespace
}  // namespace slipway::engine

namespace slipway::engine {
namespace {

// A slow activity whose own lease expires (the fake clock jumps) must not be started a second
// time in the same process when the scheduler claims its task again.
class BlockingActivity : public Activity {
 public:
  explicit BlockingActivity(FakeClock& clock) : clock_(clock) {}
  Result<json> Run(const ActivityCall& call) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++calls_[call.step];
    }
    if (call.step == "s1" && !jumped_.exchange(true)) {
      clock_.Advance(std::chrono::seconds(5));  // our 1 s lease is long gone
      std::this_thread::sleep_for(std::chrono::milliseconds(400));  // the scheduler polls meanwhile
    }
    return json::object();
  }
  int calls(const std::string& step) {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_[step];
  }

 private:
  FakeClock& clock_;
  std::atomic<bool> jumped_{false};
  std::mutex mu_;
  std::map<std::string, int> calls_;
};

TEST(SchedulerLeaseTest, AnExpiredLeaseOfARunningTaskIsNotRunTwiceInOneProcess) {
  char tmpl[] = "/tmp/slipway-lease-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  Failpoints failpoints;
  auto store = storage::SqliteStore::Open({dir + "/s.db", false}, failpoints);
  ASSERT_TRUE(store.ok());
  FakeClock clock;
  EngineOptions o;
  o.owner = "one-process";
  o.lease_ms = 1000;
  Engine engine(**store, clock, failpoints, o);
  BlockingActivity activity(clock);
  engine.RegisterActivity("block", activity);
  ASSERT_TRUE(engine.RegisterType(testing::SevenStepType("seven", "block", RetryPolicy())).ok());
  {
    Scheduler scheduler(engine, SchedulerOptions{4, 20, 10'000});
    scheduler.Start();
    ASSERT_TRUE(engine.Start({"seven", "t", json::object(), "wf-1"}, Caller{}).ok());
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (engine.Get("wf-1")->instance.status != "completed" &&
           std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    scheduler.Stop();
  }
  EXPECT_EQ(engine.Get("wf-1")->instance.status, "completed");
  EXPECT_EQ(activity.calls("s1"), 1);
  EXPECT_EQ(activity.calls("s7"), 1);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace slipway::engine
