// engine/group_committer.h: group commit of checkpoints.
//
// Worker threads that finish steps at the same moment hand their checkpoints here; one
// committer thread writes everything pending in a single transaction (Store::CommitBatch),
// each checkpoint still all-or-nothing on its own. With synchronous=FULL, a transaction costs
// an fsync, so batching is what lets thousands of transitions per second be durable.
// Commit() blocks until its checkpoint's fate is known; it borrows the checkpoint (moves it
// into the batch and back) rather than copying it. Thread-safe.
#pragma once

#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#include "storage/store.h"

namespace slipway::engine {

class GroupCommitter {
 public:
  explicit GroupCommitter(storage::Store& store, size_t max_batch = 512);
  ~GroupCommitter();  // commits what is pending, then stops
  Status Commit(storage::Checkpoint& cp);
  int64_t batches() const { return batches_; }

 private:
  struct Pending {
    storage::Checkpoint* cp;
    std::promise<Status> done;
  };
  void Loop();

  storage::Store& store_;
  size_t max_batch_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending*> queue_;
  bool stopping_ = false;
  std::atomic<int64_t> batches_{0};
  std::thread thread_;
};

}  // namespace slipway::engine
