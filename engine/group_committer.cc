#include "engine/group_committer.h"

#include <pthread.h>

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

Status GroupCommitter::Commit(storage::Checkpoint& cp) {
  Pending p{&cp, {}};
  std::future<Status> f = p.done.get_future();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return Unavailable("group committer is stopping");
    queue_.push_back(&p);
  }
  cv_.notify_one();
  return f.get();
}

void GroupCommitter::Loop() {
  pthread_setname_np(pthread_self(), "sw-commit");  // shows in top -H, perf, gdb
  for (;;) {
    std::vector<Pending*> batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    std::vector<storage::Checkpoint> cps;
    cps.reserve(batch.size());
    for (Pending* p : batch) cps.push_back(std::move(*p->cp));
    std::vector<Status> results = store_.CommitBatch(cps);
    batches_++;
    for (size_t i = 0; i < batch.size(); ++i) {
      *batch[i]->cp = std::move(cps[i]);  // before set_value: the owner reads it after that
      batch[i]->done.set_value(i < results.size() ? results[i] : Internal("batch result missing"));
    }
  }
}

}  // namespace slipway::engine
