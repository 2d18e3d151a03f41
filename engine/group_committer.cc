#include "engine/group_committer.h"

#include <pthread.h>

#include <future>
#include <vector>

namespace slipway::engine {

GroupCommitter::GroupCommitter(storage::Store& store, size_t max_batch)
    : store_(store), max_batch_(max_batch), thread_([this] { Loop(); }) {}

GroupCommitter::~GroupCommitter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void GroupCommitter::Submit(storage::Checkpoint* cp, Done done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) {
      queue_.push_back(Pending{cp, std::move(done)});
      cv_.notify_one();
      return;
    }
  }
  done(Unavailable("group committer is stopping"));
}

Status GroupCommitter::Commit(storage::Checkpoint& cp) {
  std::promise<Status> result;
  std::future<Status> f = result.get_future();
  Submit(&cp, [&result](Status st) { result.set_value(std::move(st)); });
  return f.get();
}

bool GroupCommitter::TryCommitHere(storage::Checkpoint& cp, Status* st) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || committing_ || !queue_.empty()) return false;
    committing_ = true;
  }
  *st = store_.Commit(cp);
  batches_++;
  {
    std::lock_guard<std::mutex> lock(mu_);
    committing_ = false;
  }
  cv_.notify_all();  // what queued meanwhile
  return true;
}

void GroupCommitter::Loop() {
  pthread_setname_np(pthread_self(), "sw-commit");  // shows in top -H, perf, gdb
  std::vector<Pending> batch;
  std::vector<storage::Checkpoint> cps;
  for (;;) {
    batch.clear();
    cps.clear();
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return !committing_ && (stopping_ || !queue_.empty()); });
      if (queue_.empty()) return;  // stopping and drained
      committing_ = true;
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    for (Pending& p : batch) cps.push_back(std::move(*p.cp));
    std::vector<Status> results = store_.CommitBatch(cps);
    batches_++;
    {
      std::lock_guard<std::mutex> lock(mu_);
      committing_ = false;
    }
    for (size_t i = 0; i < batch.size(); ++i) {
      *batch[i].cp = std::move(cps[i]);  // before done: the owner reads it after that
      batch[i].done(i < results.size() ? results[i] : Internal("batch result missing"));
    }
  }
}

}  // namespace slipway::engine
