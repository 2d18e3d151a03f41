// http/worker_pool_test.cc: WorkerPool grows to its limit, queues up to max_queued, refuses
// beyond, runs what is queued before Join returns, and lets idle threads go.
#include "http/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>

namespace slipway::http {
namespace {

// Holds every task until Open().
class Gate {
 public:
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    ++waiting_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return open_; });
  }
  void AwaitWaiting(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] { return waiting_ >= n; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  int waiting_ = 0;
  bool open_ = false;
};

TEST(WorkerPoolTest, GrowsToItsLimitQueuesThenRefuses) {
  WorkerPoolOptions o;
  o.min_threads = 1;
  o.max_threads = 3;
  o.max_queued = 2;
  WorkerPool pool(o);
  Gate gate;
  std::atomic<int> ran{0};
  auto task = [&] {
    gate.Wait();
    ran++;
  };
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(pool.Submit(task)) << i;
  gate.AwaitWaiting(3);  // all three threads busy
  EXPECT_EQ(pool.threads(), 3);
  EXPECT_TRUE(pool.Submit(task));
  EXPECT_TRUE(pool.Submit(task));
  EXPECT_FALSE(pool.Submit(task));  // three running, two queued: full
  gate.Open();
  pool.Join();
  EXPECT_EQ(ran.load(), 5);
  EXPECT_FALSE(pool.Submit(task));  // after Join
}

TEST(WorkerPoolTest, JoinRunsWhatIsQueued) {
  WorkerPoolOptions o;
  o.min_threads = 1;
  o.max_threads = 1;
  WorkerPool pool(o);
  std::atomic<int> ran{0};
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(pool.Submit([&] { ran++; }));
  pool.Join();
  EXPECT_EQ(ran.load(), 20);
}

TEST(WorkerPoolTest, IdleThreadsAboveTheMinimumEnd) {
  WorkerPoolOptions o;
  o.min_threads = 1;
  o.max_threads = 4;
  o.idle_timeout = std::chrono::milliseconds(20);
  WorkerPool pool(o);
  Gate gate;
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(pool.Submit([&] { gate.Wait(); }));
  gate.AwaitWaiting(4);
  EXPECT_EQ(pool.threads(), 4);
  gate.Open();
  // Polls for the outcome (no timing assertion: the guard only stops a hang).
  const auto guard = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (pool.threads() > 1 && std::chrono::steady_clock::now() < guard) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(pool.threads(), 1);
  std::promise<void> done;
  ASSERT_TRUE(pool.Submit([&] { done.set_value(); }));  // still serves
  done.get_future().wait();
}

}  // namespace
}  // namespace slipway::http
