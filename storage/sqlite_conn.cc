// storage/sqlite_conn.cc: connections, statement cache, read pool, error conversion and row
// readers for SqliteStore. See sqlite_conn.h for ownership and thread-safety.
#include "storage/sqlite_conn.h"

#include <sqlite3.h>

namespace slipway::storage::sqlite {

Conn::Conn(const std::string& path, int flags, int busy_timeout_ms)
    : db_(path, flags, busy_timeout_ms) {}

Stmt Conn::Prepare(const char* sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    it = cache_.emplace(sql, std::make_unique<SQLite::Statement>(db_, sql)).first;
  } else {
    it->second->tryReset();
    it->second->clearBindings();
  }
  return Stmt(*it->second);
}

int64_t Conn::TotalChanges() { return sqlite3_total_changes(db_.getHandle()); }

bool Conn::InTransaction() { return sqlite3_get_autocommit(db_.getHandle()) == 0; }

void Conn::RollbackQuietly() {
  if (!InTransaction()) return;  // SQLite may already have rolled back (e.g. after IOERR).
  try {
    Exec("ROLLBACK");
  } catch (const std::exception&) {
    // Nothing more to do: the connection stays usable and the next BEGIN will tell.
  }
}

ReadPool::ReadPool(std::vector<std::unique_ptr<Conn>> conns) : all_(std::move(conns)) {
  for (auto& c : all_) free_.push_back(c.get());
}

ReadPool::Lease ReadPool::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return !free_.empty(); });
  Conn* c = free_.back();
  free_.pop_back();
  return Lease(this, c);
}

void ReadPool::Return(Conn* conn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(conn);
  }
  cv_.notify_one();
}

Status FromSqlite(const SQLite::Exception& e, const char* what) {
  const int primary = e.getErrorCode() & 0xff;
  std::string msg = std::string("sqlite ") + what + ": " + e.what();
  switch (primary) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Unavailable(std::move(msg));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Corruption(std::move(msg));
    case SQLITE_CONSTRAINT:
      return Conflict(std::move(msg));
    default:
      return Internal(std::move(msg));
  }
}

Instance ReadInstance(SQLite::Statement& s) {
  Instance i;
  i.id = s.getColumn(0).getString();
  i.type = s.getColumn(1).getString();
  i.tenant = s.getColumn(2).getString();
  i.status = s.getColumn(3).getString();
  i.state = s.getColumn(4).getString();
  i.input_json = s.getColumn(5).getString();
  i.input_hash = s.getColumn(6).getString();
  i.context_json = s.getColumn(7).getString();
  i.result_json = s.getColumn(8).getString();
  i.error_json = s.getColumn(9).getString();
  i.serial_key = s.getColumn(10).getString();
  i.version = s.getColumn(11).getInt64();
  i.last_seq = s.getColumn(12).getInt64();
  i.last_hash = s.getColumn(13).getString();
  i.created_at_ms = s.getColumn(14).getInt64();
  i.updated_at_ms = s.getColumn(15).getInt64();
  i.deadline_ms = s.getColumn(16).getInt64();
  i.type_version = s.getColumn(17).getInt64();
  return i;
}

HistoryEvent ReadEvent(SQLite::Statement& s) {
  HistoryEvent e;
  e.workflow_id = s.getColumn(0).getString();
  e.seq = s.getColumn(1).getInt64();
  e.at_ms = s.getColumn(2).getInt64();
  e.type = s.getColumn(3).getString();
  e.step = s.getColumn(4).getString();
  e.attempt = s.getColumn(5).getInt();
  e.actor = s.getColumn(6).getString();
  e.data_json = s.getColumn(7).getString();
  e.prev_hash = s.getColumn(8).getString();
  e.hash = s.getColumn(9).getString();
  return e;
}

Task ReadTask(SQLite::Statement& s) {
  Task t;
  t.id = s.getColumn(0).getInt64();
  t.workflow_id = s.getColumn(1).getString();
  t.kind = s.getColumn(2).getString();
  t.step = s.getColumn(3).getString();
  t.attempt = s.getColumn(4).getInt();
  t.due_at_ms = s.getColumn(5).getInt64();
  t.payload_json = s.getColumn(6).getString();
  t.lease_owner = s.getColumn(7).getString();
  t.lease_until_ms = s.getColumn(8).getInt64();
  t.lease_token = s.getColumn(9).getInt64();
  return t;
}

}  // namespace slipway::storage::sqlite
