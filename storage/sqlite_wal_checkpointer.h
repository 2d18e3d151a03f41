// storage/sqlite_wal_checkpointer.h: copies the WAL back into the database file on a thread
// of its own, so that commits never pay for it (internal to storage/).
//
// SQLite's default "auto-checkpoint" runs inside the commit that pushes the WAL past 1000
// pages: that commit copies the pages and fsyncs the database file, a latency spike for every
// workflow waiting on it. SqliteStore turns it off on its writer and installs a WAL hook that
// calls Nudge(pages) after each commit; this thread then runs a PASSIVE checkpoint (it never
// blocks writers or readers) on its own connection once `threshold_pages` were added to the
// WAL since its last run, and every `period_ms` while anything was added. (The WAL starts
// over only when a checkpoint copied all of it and no reader still uses it, so its size alone
// would call for a checkpoint, with its fsyncs, after every commit until then.)
//
// Under a steady stream of commits a PASSIVE checkpoint never catches up: the writer adds
// frames while it copies, so the WAL is never wholly copied when the next transaction begins,
// never starts over, and grows without bound (190 MB in 3 s of one workflow after another,
// with every commit's fsync paying for the growth). So after each pass that copied all it
// saw, the writer is asked (TakeCatchUp) to copy the little that came in meanwhile, on its
// own connection before its next transaction, while no frame can be added: the WAL is then
// wholly copied and the next commit starts it over from the beginning (once the readers
// that still use its old frames are done).
//
// Thread-safe: Nudge() from the writer, everything else from the owner.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace slipway::storage::sqlite {

class Conn;

class WalCheckpointer {
 public:
  // Opens its connection to `path`; throws SQLite::Exception (callers are inside Guarded).
  WalCheckpointer(const std::string& path, int threshold_pages, int period_ms);
  ~WalCheckpointer();  // stops the thread (a last checkpoint is left to SQLite's close)
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // After a commit: the WAL now holds `pages` pages.
  void Nudge(int pages);
  // Whether the writer should copy the rest of the WAL before its next transaction (true
  // once per pass of this thread that copied everything it saw, while the WAL holds more).
  bool TakeCatchUp();
  // The writer's catch-up: a PASSIVE checkpoint on `writer` (held by the caller, with no
  // transaction open). Harmless when it finds this thread mid-pass (BUSY).
  static void CatchUp(Conn& writer);

 private:
  void Loop();

  std::unique_ptr<Conn> conn_;
  const int threshold_pages_;
  const int period_ms_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool Due() const;  // under mu_

  int pages_ = 0;       // WAL size reported by the last commit
  int pages_seen_ = 0;  // WAL size at the last run
  std::atomic<bool> catch_up_{false};
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace slipway::storage::sqlite
