#include "storage/sqlite_wal_checkpointer.h"

#include <pthread.h>
#include <sqlite3.h>

#include <chrono>

#include "storage/sqlite_conn.h"

namespace slipway::storage::sqlite {

namespace {
const int kFlags = SQLite::OPEN_READWRITE | SQLite::OPEN_NOMUTEX;
}  // namespace

WalCheckpointer::WalCheckpointer(const std::string& path, int threshold_pages, int period_ms)
    : conn_(std::make_unique<Conn>(path, kFlags, /*busy_timeout_ms=*/0)),
      threshold_pages_(threshold_pages),
      period_ms_(period_ms),
      thread_() {
  // A connection reads the file (and learns it is in WAL mode) on first use, not on open.
  conn_->db().execAndGet("PRAGMA journal_mode");
  thread_ = std::thread([this] { Loop(); });
}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void WalCheckpointer::Nudge(int pages) {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const bool was_due = Due();
    if (pages < pages_) pages_seen_ = 0;  // the WAL started over
    pages_ = pages;
    wake = !was_due && Due();
  }
  if (wake) cv_.notify_one();
}

bool WalCheckpointer::Due() const { return pages_ - pages_seen_ >= threshold_pages_; }

void WalCheckpointer::Loop() {
  pthread_setname_np(pthread_self(), "sw-walckpt");
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait_for(lock, std::chrono::milliseconds(period_ms_),
                 [this] { return stopping_ || Due(); });
    if (stopping_) return;
    if (pages_ == pages_seen_) continue;  // nothing new since the last run
    pages_seen_ = pages_;
    lock.unlock();
    // PASSIVE copies what no reader still needs and never waits for a lock; what it could not
    // copy is copied next time. An error (e.g. BUSY from another process's checkpoint) is
    // harmless for the same reason.
    int log_pages = 0, copied = 0;
    const int rc = sqlite3_wal_checkpoint_v2(conn_->db().getHandle(), nullptr,
                                             SQLITE_CHECKPOINT_PASSIVE, &log_pages, &copied);
    lock.lock();
    if (rc == SQLITE_OK && log_pages > 0 && copied == log_pages && pages_ > log_pages) {
      catch_up_.store(true, std::memory_order_release);
    }
  }
}

bool WalCheckpointer::TakeCatchUp() {
  return catch_up_.load(std::memory_order_acquire) &&
         catch_up_.exchange(false, std::memory_order_acq_rel);
}

void WalCheckpointer::CatchUp(Conn& writer) {
  int log_pages = 0, copied = 0;
  sqlite3_wal_checkpoint_v2(writer.db().getHandle(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                            &log_pages, &copied);
}

}  // namespace slipway::storage::sqlite
