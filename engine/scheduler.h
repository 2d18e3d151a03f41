// engine/scheduler.h: runs due tasks on a worker pool (Boost.Asio).
//
// A dispatcher thread claims due tasks from the store with leases (so several engine processes
// on one database never run the same task twice), never more than free workers, honouring the
// per-kind capacities of EngineOptions across processes, and hands them to the pool. A worker
// does not wait for checkpoints: it hands each to the group committer and takes other work,
// and the task goes on (on any worker) once its checkpoint is durable
// (Engine::ExecuteTaskAsync). So a task is in flight from its claim until its last checkpoint
// is durable, and a worker is busy only while it computes or runs an activity. It wakes
// when the engine commits new due work (Notify), when the store's next due time arrives, and
// at least every poll interval (other processes add work too). Leases of running tasks are
// renewed. A lease the store refuses to renew (another owner holds it) cancels its attempt at
// once; when renewals fail (a store error), an attempt is cancelled before its lease could
// expire, i.e. once the next renewal would come too late. Either way the token is marked
// lease_lost and the engine records no outcome for that attempt: another node may run the task.
// The Asio timers only wake the loop: durable timers are task rows with a due time.
//
// Thread-safe. Start() once, Stop() once (also done by the destructor).
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "engine/engine.h"
#include "engine/scheduler_options.h"

namespace slipway::engine {

class Scheduler {
 public:
  Scheduler(Engine& engine, SchedulerOptions options);
  ~Scheduler();
  void Start();
  // Stops claiming; lets running tasks finish (cancelling them after the grace period); gives
  // back the leases of tasks that did not finish, so they run again at once elsewhere.
  void Stop();
  void Notify();
  int64_t tasks_run() const { return tasks_run_; }

 private:
  void Pump();
  void ArmTimer(bool look);  // look: ask the store when work is next due
  void ArmRenewal();
  void RenewLeases(int64_t every_ms);
  void RunTask(int64_t run, storage::Task task, std::shared_ptr<CancellationToken> token);
  // limited: the task's kind has a capacity, so a task of that kind may have been left
  // unclaimed for want of the slot this one frees.
  void Finished(int64_t run, int64_t task_id, bool limited, const Status& st);
  // Runs f on the pool, counted as busy while queued or running.
  void Post(std::function<void()> f);
  int FreeSlots();  // how many tasks the dispatcher may claim now

  Engine& engine_;
  SchedulerOptions options_;
  boost::asio::io_context io_;
  boost::asio::steady_timer timer_;
  boost::asio::steady_timer renew_timer_;
  std::unique_ptr<boost::asio::thread_pool> pool_;
  std::thread io_thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> started_{false};
  std::atomic<bool> pump_posted_{false};
  std::atomic<int64_t> tasks_run_{0};
  std::atomic<int> busy_{0};        // closures posted to the pool and not yet finished
  std::atomic<int> posting_{0};     // threads inside Post's asio::post call
  std::atomic<int> in_flight_{0};   // inflight_.size(), readable without mu_
  // Whether the last look at the store may have left due tasks unclaimed: a worker that
  // frees up then looks again.
  std::atomic<bool> more_due_{true};

  // One entry per task run, keyed by a run number: the same task id may be running twice in
  // this process when its lease expired under a slow activity and it was claimed again.
  struct Run {
    int64_t task_id;
    std::shared_ptr<CancellationToken> token;
    TimeMs lease_until_ms;  // as last claimed or renewed
  };
  std::condition_variable drained_;  // notified when inflight_ empties
  std::mutex mu_;  // guards inflight_ and next_run_
  std::map<int64_t, Run> inflight_;
  int64_t next_run_ = 0;
};

}  // namespace slipway::engine
