// http/worker_pool.cc: WorkerPool (see worker_pool.h).
#include "http/worker_pool.h"

#include <pthread.h>

#include <algorithm>

namespace slipway::http {

WorkerPool::WorkerPool(WorkerPoolOptions options) : options_(std::move(options)) {}

WorkerPool::~WorkerPool() { Join(); }

bool WorkerPool::FullLocked() const {
  const size_t waiting = queue_.size();
  return static_cast<size_t>(idle_) <= waiting && live_ >= options_.max_threads &&
         waiting - static_cast<size_t>(idle_) >= options_.max_queued;
}

bool WorkerPool::full() const {
  std::lock_guard<std::mutex> lock(mu_);
  return joining_ || FullLocked();
}

bool WorkerPool::Submit(std::function<void()> task) {
  std::lock_guard<std::mutex> lock(mu_);
  if (joining_) return false;
  ReapLocked();
  if (FullLocked()) return false;
  if (static_cast<size_t>(idle_) <= queue_.size()) StartThreadLocked();
  queue_.push_back(std::move(task));
  cv_.notify_one();
  return true;
}

void WorkerPool::StartThreadLocked() {
  if (live_ >= options_.max_threads) return;
  ++live_;
  threads_.emplace_back([this] { Work(); });
  pthread_setname_np(threads_.back().native_handle(), options_.thread_name.substr(0, 15).c_str());
}

// Joins threads that ended after their idle timeout.
void WorkerPool::ReapLocked() {
  for (const std::thread::id& id : ended_) {
    auto it = std::find_if(threads_.begin(), threads_.end(),
                           [&](const std::thread& t) { return t.get_id() == id; });
    if (it == threads_.end()) continue;
    it->join();
    threads_.erase(it);
  }
  ended_.clear();
}

void WorkerPool::Work() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    ++idle_;
    const bool woke = cv_.wait_for(lock, options_.idle_timeout,
                                   [&] { return !queue_.empty() || joining_; });
    --idle_;
    if (queue_.empty()) {
      if (joining_) break;
      if (!woke && live_ > options_.min_threads) break;
      continue;
    }
    std::function<void()> task = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    task();
    task = nullptr;  // what it captured goes now, not under the lock
    lock.lock();
  }
  --live_;
  if (!joining_) ended_.push_back(std::this_thread::get_id());
}

void WorkerPool::Join() {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    joining_ = true;
    cv_.notify_all();
    threads.swap(threads_);
    ended_.clear();
  }
  for (std::thread& t : threads) {
    if (t.joinable()) t.join();
  }
}

int WorkerPool::threads() const {
  std::lock_guard<std::mutex> lock(mu_);
  return live_;
}

}  // namespace slipway::http
