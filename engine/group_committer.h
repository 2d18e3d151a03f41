// engine/group_committer.h: group commit of checkpoints.
//
// Workers that finish steps at the same moment hand their checkpoints here; one committer
// thread writes everything pending in a single transaction (Store::CommitBatch), each
// checkpoint still all-or-nothing on its own. With synchronous=FULL, a transaction costs an
// fsync, so batching is what lets thousands of transitions per second be durable.
//
// Submit() does not wait: the worker goes on with other work, and `done` is called once the
// checkpoint's fate is known (durable, or refused). The committer never waits to fill a
// batch: an idle engine commits a lone checkpoint at once, and whatever arrives during a
// transaction goes into the next one. Commit() is the waiting form, for callers that answer
// a client. Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "storage/store.h"

namespace slipway::engine {

class GroupCommitter {
 public:
  // Runs on the committer thread, after the batch's transaction: keep it short and never
  // block in it (hand the work to another thread). The checkpoint is back in place by then.
  using Done = std::function<void(Status)>;

  explicit GroupCommitter(storage::Store& store, size_t max_batch = 512);
  ~GroupCommitter();  // commits what is pending, then stops

  // Borrows *cp (moves it into the batch and back) until `done` runs: *cp must stay valid and
  // untouched until then. After the destructor began, `done` runs at once with kUnavailable.
  void Submit(storage::Checkpoint* cp, Done done);
  // Submit, then waits for the outcome.
  Status Commit(storage::Checkpoint& cp);
  // Commits cp on the calling thread iff the committer is idle (no transaction under way,
  // nothing queued): returns true with the outcome in *st. Else false, and nothing is done.
  // Checkpoints submitted meanwhile wait and go in the committer's next batch.
  bool TryCommitHere(storage::Checkpoint& cp, Status* st);
  int64_t batches() const { return batches_; }

 private:
  struct Pending {
    storage::Checkpoint* cp;
    Done done;
  };
  void Loop();

  storage::Store& store_;
  size_t max_batch_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  bool committing_ = false;  // a transaction is under way (on either thread)
  std::atomic<int64_t> batches_{0};
  std::thread thread_;
};

}  // namespace slipway::engine
