// storage/pg_listener.h: internals of PgStore, not for use outside storage/.
//
// Owns: a thread with its own connection that LISTENs on pg_conn.h's kChannel and hands every
// notice of another node to a callback. Notices are "<node tag> w <workflow id>" (a checkpoint
// committed) or "<node tag> t" (tasks became claimable: leases released). When the connection
// drops it reconnects (every 100 ms until it succeeds) and reports kUnknown, since notices sent
// while nobody listened are gone.
//
// Thread-safety: the callback runs on the listener's thread. connected() from any thread.
// The destructor stops the thread at once (a pipe wakes its poll) and joins it.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace slipway::storage::pg {

enum class Change { kWorkflow, kTasks, kUnknown };
using ChangeFn = std::function<void(Change, const std::string& workflow_id)>;

class Listener {
 public:
  // `on_change(kind, workflow_id)`: another node committed that workflow (kWorkflow), made
  // tasks claimable (kTasks), or something may have changed unseen (kUnknown).
  Listener(std::string dsn, std::string own_tag, ChangeFn on_change);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Whether the connection is up and listening: only then is every foreign commit reported.
  bool connected() const { return connected_.load(std::memory_order_acquire); }
  // Blocks until the first LISTEN is in place (or the first attempt failed).
  void WaitStarted();

 private:
  void Loop();
  // One connection's life: LISTEN, then hand notices over until it breaks or we stop.
  void Serve();
  // Sleeps up to ms, or less if Stop was called. Returns false when stopping.
  bool Pause(int ms);
  void Handle(const std::string& payload);

  const std::string dsn_;
  const std::string own_tag_;
  const ChangeFn on_change_;
  int wake_pipe_[2] = {-1, -1};
  std::atomic<bool> stop_{false};
  std::atomic<bool> connected_{false};
  std::atomic<bool> started_{false};
  std::thread thread_;
};

}  // namespace slipway::storage::pg
