#include "engine/scheduler.h"

#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <algorithm>
#include <boost/asio/post.hpp>
#include <chrono>
#include <future>
#include <iostream>
#include <vector>

namespace slipway::engine {

namespace asio = boost::asio;

Scheduler::Scheduler(Engine& engine, SchedulerOptions options)
    : engine_(engine), options_(options), timer_(io_), renew_timer_(io_) {}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Start() {
  if (started_.exchange(true)) return;
  pool_ = std::make_unique<asio::thread_pool>(static_cast<size_t>(options_.workers));
  engine_.SetWakeHook([this] { Notify(); });
  // This worker is the only busy one and no due task is known to wait: nothing is lost by
  // committing on its thread, and two thread hand-offs per step are saved.
  engine_.SetCommitHereHook([this] { return busy_.load() <= 1 && !more_due_.load(); });
  io_thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "sw-dispatch");
    auto guard = asio::make_work_guard(io_);
    io_.run();
  });
  ArmRenewal();
  Notify();
}

void Scheduler::Notify() {
  if (stopping_ || pump_posted_.exchange(true)) return;
  asio::post(io_, [this] {
    pump_posted_ = false;
    Pump();
  });
}

int Scheduler::FreeSlots() {
  return std::min(options_.workers - busy_.load(), options_.max_in_flight - in_flight_.load());
}

void Scheduler::Pump() {
  if (stopping_) return;
  const int free = FreeSlots();
  if (free <= 0) {
    more_due_ = true;  // unknown: look again when a worker frees up
    return ArmTimer(/*look=*/false);
  }
  const EngineOptions& eo = engine_.options();
  storage::ClaimRequest req;
  req.owner = eo.owner;
  req.now_ms = engine_.clock().NowMs();
  req.lease_until_ms = req.now_ms + eo.lease_ms;
  req.limit = free;
  req.kind_capacity = eo.kind_capacity;
  Result<std::vector<storage::Task>> tasks = engine_.store().ClaimTasks(req);
  if (tasks.ok()) {
    more_due_ = static_cast<int>(tasks->size()) == free;
    for (auto& task : *tasks) {
      auto token = std::make_shared<CancellationToken>();
      int64_t run;
      {
        std::lock_guard<std::mutex> lock(mu_);
        // Our own lease on a task we are still running expired and we claimed it again:
        // the claim merely renewed it. A second run in this process would compete with the
        // first under the same lease owner, so it is not started.
        bool running_here = false;
        for (const auto& [r, existing] : inflight_) running_here |= existing.task_id == task.id;
        if (running_here) continue;
        run = next_run_++;
        inflight_[run] = Run{task.id, token, task.lease_until_ms};
        in_flight_++;
      }
      Post([this, run, task = std::move(task), token]() mutable {
        RunTask(run, std::move(task), std::move(token));
      });
    }
  }
  ArmTimer(/*look=*/true);
}

namespace {

// Names a pool thread and lowers its priority by `nice`. The committer and the dispatcher
// keep the default priority: every worker waits on them, so a committer that queues for a CPU
// behind 64 workers slows all of them. Processes that activities start (builds) inherit it.
bool PrepareWorkerThread(int nice) {
  pthread_setname_np(pthread_self(), "sw-worker");
  if (nice > 0) setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), nice);
  return true;
}

}  // namespace

void Scheduler::Post(std::function<void()> f) {
  busy_++;
  posting_++;  // Stop() keeps the pool until this thread is out of asio::post (below)
  asio::post(*pool_, [this, f = std::move(f)] {
    thread_local bool prepared = PrepareWorkerThread(options_.worker_nice);
    (void)prepared;
    f();
    busy_--;
    // This worker is free: if due work may be waiting, the dispatcher claims it now rather
    // than at its next timer.
    if (more_due_ && FreeSlots() > 0) Notify();
  });
  posting_--;
}

void Scheduler::RunTask(int64_t run, storage::Task task,
                        std::shared_ptr<CancellationToken> token) {
  const int64_t id = task.id;
  const bool limited = engine_.options().kind_capacity.count(task.kind) > 0;
  CancellationToken& t = *token;
  engine_.ExecuteTaskAsync(
      task, t, [this](std::function<void()> f) { Post(std::move(f)); },
      [this, run, id, limited, token = std::move(token)](Status st) {
        Finished(run, id, limited, st);
      });
}

void Scheduler::Finished(int64_t run, int64_t task_id, bool limited, const Status& st) {
  if (!st.ok() && st.code() != Code::kConflict) {
    std::cerr << R"({"level":"warn","msg":"task failed; it will run again when its lease expires","task":)"
              << task_id << R"(,"error":")" << CodeName(st.code()) << "\"}" << std::endl;
  }
  tasks_run_++;
  {
    std::lock_guard<std::mutex> lock(mu_);
    inflight_.erase(run);
    in_flight_--;
    if (inflight_.empty()) drained_.notify_all();
  }
  // A freed slot matters only to work the last claim left behind: for want of slots, or of
  // this kind's capacity. Anything else new wakes the dispatcher itself (the engine's wake
  // hook, the timer): a look at the store after every finished task would cost a claim
  // transaction per task when tasks fall due one at a time.
  if (more_due_ || limited) Notify();
}

void Scheduler::ArmTimer(bool look) {
  int64_t delay = options_.poll_ms;
  Result<std::optional<TimeMs>> next =
      look ? engine_.store().NextWakeUp() : Result<std::optional<TimeMs>>(std::nullopt);
  if (next.ok() && next->has_value()) {
    int64_t until = **next - engine_.clock().NowMs();
    delay = std::min(delay, until);
  }
  // Also when the next due task is overdue (its kind at capacity, a lease of another node):
  // no look at the store every millisecond.
  const int64_t floor = std::min(options_.timer_batch_ms, options_.poll_ms);
  delay = std::max(delay, std::max<int64_t>(1, floor));
  timer_.expires_after(std::chrono::milliseconds(delay));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) Pump();
  });
}

void Scheduler::ArmRenewal() {
  // Also the watchdog of attempt timeouts: at least every second.
  int64_t every = std::min<int64_t>(1000, std::max<int64_t>(engine_.options().lease_ms / 3, 10));
  renew_timer_.expires_after(std::chrono::milliseconds(every));
  renew_timer_.async_wait([this, every](const boost::system::error_code& ec) {
    if (ec || stopping_) return;
    engine_.CancelOverdueAttempts();
    RenewLeases(every);
    ArmRenewal();
  });
}

void Scheduler::RenewLeases(int64_t every_ms) {
  std::vector<int64_t> ids;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [run, r] : inflight_) ids.push_back(r.task_id);
  }
  if (ids.empty()) return;
  const EngineOptions& eo = engine_.options();
  const TimeMs now = engine_.clock().NowMs();
  const TimeMs until = now + eo.lease_ms;
  auto lost = engine_.store().RenewLeases(eo.owner, ids, until);
  std::lock_guard<std::mutex> lock(mu_);
  if (lost.ok()) {
    for (auto& [run, r] : inflight_) {
      bool gone = std::find(lost->begin(), lost->end(), r.task_id) != lost->end();
      if (gone) {
        r.token->CancelForLostLease();  // someone else owns it now
      } else if (std::find(ids.begin(), ids.end(), r.task_id) != ids.end()) {
        r.lease_until_ms = until;
      }
    }
    return;
  }
  // The store could not renew: a transient error leaves the lease some time, but an attempt
  // whose lease might expire before the next renewal (one interval, plus one of slack for a
  // late timer) could soon be claimed elsewhere, so it stops now.
  int cancelled = 0;
  for (auto& [run, r] : inflight_) {
    if (r.lease_until_ms - now < 2 * every_ms && !r.token->lease_lost()) {
      r.token->CancelForLostLease();
      ++cancelled;
    }
  }
  std::cerr << R"({"level":"warn","msg":"lease renewal failed","error":")"
            << CodeName(lost.status().code()) << R"(","attempts_cancelled":)" << cancelled
            << "}" << std::endl;
}

void Scheduler::Stop() {
  if (!started_ || stopping_.exchange(true)) return;
  engine_.SetContinueSteps(false);
  // Once this has run on the dispatcher, no Pump is under way: nothing is claimed any more.
  std::promise<void> quiet;
  asio::post(io_, [this, &quiet] {
    timer_.cancel();
    renew_timer_.cancel();
    quiet.set_value();
  });
  quiet.get_future().wait();
  std::vector<int64_t> unfinished;
  {
    std::unique_lock<std::mutex> lock(mu_);
    drained_.wait_for(lock, std::chrono::milliseconds(options_.stop_grace_ms),
                      [this] { return inflight_.empty(); });
    for (auto& [run, r] : inflight_) {
      r.token->Cancel();
      unfinished.push_back(r.task_id);
    }
    // Cancelled attempts still record (or drop) their outcome, on the pool: every task must
    // be through before the pool goes, or a late checkpoint would have nowhere to continue.
    drained_.wait(lock, [this] { return inflight_.empty(); });
  }
  pool_->join();
  // A thread outside the pool (the group committer handing a checkpoint's outcome over) may
  // still be inside asio::post, signalling the pool's condition variable, after the closure
  // it posted already ran and the last task finished: the pool may not go before it is out.
  while (posting_.load() > 0) std::this_thread::yield();
  if (!unfinished.empty()) {
    engine_.store().ReleaseLeases(engine_.options().owner, unfinished).IgnoreError();
  }
  engine_.SetWakeHook(nullptr);
  engine_.SetCommitHereHook(nullptr);
  engine_.SetContinueSteps(true);
  io_.stop();
  io_thread_.join();
}

}  // namespace slipway::engine
