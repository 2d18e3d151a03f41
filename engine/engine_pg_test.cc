// engine/engine_pg_test.cc: two engine "nodes" (each an Engine on its own PgStore) on one
// PostgreSQL database (storage/testing/pg_cluster.h): a commit on one node wakes the other
// node's long polls and dispatcher through LISTEN/NOTIFY, not through their polling, and a
// tenant's serial queue holds across the nodes.
//
// Time-outs below are hang guards far above the polling intervals the wake-ups must beat
// (the intervals are set to a minute); the measured latency is printed, not asserted.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <thread>

#include "engine/engine.h"
#include "engine/scheduler.h"
#include "engine/testing/recording_activity.h"
#include "engine/testing/test_workflow.h"
#include "storage/pg_store.h"
#include "storage/testing/pg_cluster.h"

namespace slipway::engine::testing {
namespace {

using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;

double MsSince(Steady::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Steady::now() - t).count() /
         1000.0;
}

RetryPolicy NoWaitRetry() {
  RetryPolicy p;
  p.initial_interval_ms = 1;
  p.max_attempts = 3;
  p.jitter = false;
  return p;
}

struct Node {
  Node(const std::string& dsn, const std::string& owner, Clock& clock, Failpoints& fp,
       RecordingActivity& activity) {
    storage::PgOptions so;
    so.dsn = dsn;
    so.connections = 4;
    auto s = storage::PgStore::Open(so, fp);
    SLIPWAY_CHECK(s.ok());
    store = std::move(*s);
    EngineOptions eo;
    eo.owner = owner;
    eo.seed = 7;
    engine = std::make_unique<Engine>(*store, clock, fp, eo);
    engine->RegisterActivity("rec", activity);
    SLIPWAY_CHECK(engine->RegisterType(SevenStepType("seven", "rec", NoWaitRetry())).ok());
    SLIPWAY_CHECK(engine->RegisterType(SevenStepType("serial", "rec", NoWaitRetry(), true)).ok());
  }
  std::unique_ptr<storage::PgStore> store;
  std::unique_ptr<Engine> engine;
};

class EnginePgTest : public ::testing::Test {
 protected:
  EnginePgTest()
      : dsn_(storage::testing::PgCluster::Shared().CreateDatabase()),
        a_(dsn_, "node-a", clock_, failpoints_, activity_),
        b_(dsn_, "node-b", clock_, failpoints_, activity_) {}

  std::string dsn_;
  FakeClock clock_;
  Failpoints failpoints_;
  RecordingActivity activity_{clock_};
  Node a_;
  Node b_;
};

TEST_F(EnginePgTest, ALongPollOnNodeBWakesOnACommitOfNodeA) {
  auto w = a_.engine->Start({"seven", "client1", nlohmann::json::object(), ""}, Caller{"ops:t"});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  const std::string id = w->instance.id;
  const int64_t known = w->instance.version;
  Result<Workflow> seen = Unavailable("not yet");
  Steady::time_point committed;
  std::thread poller([&] {
    seen = b_.engine->WaitForChange(id, known, milliseconds(60'000), milliseconds(60'000));
  });
  std::this_thread::sleep_for(milliseconds(200));  // let the poll start waiting (not asserted)
  committed = Steady::now();
  ASSERT_TRUE(a_.engine->RunDueWork(1).ok());  // node A runs (and commits) one step
  poller.join();
  const double ms = MsSince(committed);
  ASSERT_TRUE(seen.ok()) << seen.status().ToString();
  EXPECT_GT(seen->instance.version, known);
  EXPECT_LT(ms, 30'000);  // woken by the notice: its polling interval is a minute
  std::cout << "node B's long poll answered " << ms << " ms after node A began its step\n";
}

TEST_F(EnginePgTest, NodeBsDispatcherRunsWorkThatNodeAStarted) {
  SchedulerOptions so;
  so.workers = 2;
  so.poll_ms = 60'000;  // only a notice can wake it in time
  so.worker_nice = 0;
  Scheduler scheduler(*b_.engine, so);
  scheduler.Start();
  std::this_thread::sleep_for(milliseconds(200));  // the first, empty look is over
  const auto start = Steady::now();
  auto w = a_.engine->Start({"seven", "client1", nlohmann::json::object(), ""}, Caller{"ops:t"});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  Result<Workflow> now = *w;
  while (now.ok() && now->instance.status != "completed" && MsSince(start) < 30'000) {
    now = a_.engine->WaitForChange(w->instance.id, now->instance.version, milliseconds(1000),
                                   milliseconds(50));
  }
  const double ms = MsSince(start);
  scheduler.Stop();
  ASSERT_TRUE(now.ok()) << now.status().ToString();
  EXPECT_EQ(now->instance.status, "completed");
  EXPECT_EQ(activity_.calls().size(), 7u);
  std::cout << "node B completed node A's 7-step workflow " << ms << " ms after Start\n";
}

TEST_F(EnginePgTest, ATenantsSerialQueueHoldsAcrossNodes) {
  // Both nodes start deployments of one tenant, alternately; then both run due work in turns.
  std::vector<std::string> ids;
  for (int i = 0; i < 6; ++i) {
    Engine& e = i % 2 == 0 ? *a_.engine : *b_.engine;
    auto w = e.Start({"serial", "t1", nlohmann::json::object(), ""}, Caller{"ops:t"});
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    ids.push_back(w->instance.id);
  }
  for (int round = 0; round < 200; ++round) {
    std::thread ta([&] { (void)a_.engine->RunDueWork(3); });
    std::thread tb([&] { (void)b_.engine->RunDueWork(3); });
    ta.join();
    tb.join();
    int done = 0;
    for (const auto& id : ids) done += a_.engine->Get(id)->instance.status == "completed";
    if (done == static_cast<int>(ids.size())) break;
  }
  // One at a time, in start order: each workflow's steps all ran before the next one's.
  std::vector<std::string> order;
  for (const auto& c : activity_.calls()) {
    if (order.empty() || order.back() != c.workflow_id) order.push_back(c.workflow_id);
  }
  EXPECT_EQ(order, ids);
  for (const auto& id : ids) EXPECT_EQ(a_.engine->Get(id)->instance.status, "completed");
}

}  // namespace
}  // namespace slipway::engine::testing
