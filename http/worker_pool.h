// http/worker_pool.h: the threads that serve requests which may block (writes that wait for
// a commit, long polls, streams, request bodies still arriving); see io_server.h.
//
// Threads are started when a task finds none idle, up to max_threads; a thread idle for
// idle_timeout ends (keeping min_threads). Tasks beyond that wait in a queue of at most
// max_queued. Internal to http/.
//
// Thread-safety: Submit from any thread; Join once, from the owner, after the last Submit.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace slipway::http {

struct WorkerPoolOptions {
  int min_threads = 2;
  int max_threads = 128;
  size_t max_queued = 256;
  std::chrono::milliseconds idle_timeout{30'000};
  std::string thread_name = "sw-http";  // at most 15 characters (Linux)
};

class WorkerPool {
 public:
  explicit WorkerPool(WorkerPoolOptions options);
  ~WorkerPool();  // Join()s
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs `task` on a pool thread. False (and `task` not run) when every thread is busy and
  // the queue is full, or after Join.
  bool Submit(std::function<void()> task);
  // Runs what is queued, waits for running tasks, ends all threads.
  void Join();

  int threads() const;  // started and not ended (for tests)
  // True when Submit would refuse a task now (every thread busy, the queue full).
  bool full() const;

 private:
  void Work();
  void StartThreadLocked();
  void ReapLocked();
  bool FullLocked() const;

  const WorkerPoolOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;  // guarded by mu_
  std::vector<std::thread> threads_;         // guarded by mu_
  std::vector<std::thread::id> ended_;       // ended threads still to join; guarded by mu_
  int live_ = 0;                             // guarded by mu_
  int idle_ = 0;                             // guarded by mu_
  bool joining_ = false;                     // guarded by mu_
};

}  // namespace slipway::http
