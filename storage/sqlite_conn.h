// storage/sqlite_conn.h: internals of SqliteStore, not for use outside storage/.
//
// Owns: one SQLite connection with its cache of prepared statements (Conn), the pool of read
// connections (ReadPool), the conversion of SQLiteCpp exceptions into Status (Guarded), and
// the readers that turn a result row into an Instance, HistoryEvent or Task.
//
// Thread-safety: a Conn is used by one thread at a time (the writer under SqliteStore's write
// mutex, a reader while it is checked out of the pool). ReadPool itself is thread-safe.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>

#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/base/failpoints.h"
#include "engine/base/status.h"
#include "storage/store.h"

namespace slipway::storage::sqlite {

// A cached prepared statement checked out for one use. Its bindings were cleared on checkout;
// it is reset when the scope ends, so that a read never keeps an old snapshot open (WAL) and
// a write statement never stays half-stepped.
class Stmt {
 public:
  explicit Stmt(SQLite::Statement& s) : s_(s) {}
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt() { s_.tryReset(); }
  SQLite::Statement* operator->() { return &s_; }
  SQLite::Statement& operator*() { return s_; }

 private:
  SQLite::Statement& s_;
};

class Conn {
 public:
  // Throws SQLite::Exception (callers are inside Guarded).
  Conn(const std::string& path, int flags, int busy_timeout_ms);
  SQLite::Database& db() { return db_; }
  // The cached statement for `sql`, which must have static storage duration (the cache is
  // keyed by its address). Every value goes through bind(): SQL is never built from input.
  Stmt Prepare(const char* sql);
  // Runs a statement without parameters or results ("BEGIN IMMEDIATE", "COMMIT", ...).
  void Exec(const char* sql) { Prepare(sql)->exec(); }
  // Total rows changed by this connection since it opened (sqlite3_total_changes).
  int64_t TotalChanges();
  bool InTransaction();
  // Rolls back the open transaction, if any; never throws (used on error paths).
  void RollbackQuietly();

 private:
  SQLite::Database db_;
  std::unordered_map<const char*, std::unique_ptr<SQLite::Statement>> cache_;
};

// A fixed set of read connections. Acquire() blocks while all are checked out.
class ReadPool {
 public:
  explicit ReadPool(std::vector<std::unique_ptr<Conn>> conns);

  class Lease {
   public:
    Lease(ReadPool* pool, Conn* conn) : pool_(pool), conn_(conn) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { pool_->Return(conn_); }
    Conn& conn() { return *conn_; }

   private:
    ReadPool* pool_;
    Conn* conn_;
  };
  Lease Acquire();

 private:
  void Return(Conn* conn);

  std::vector<std::unique_ptr<Conn>> all_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Conn*> free_;
};

// BUSY/LOCKED -> kUnavailable, CORRUPT/NOTADB -> kCorruption, CONSTRAINT -> kConflict,
// anything else -> kInternal. The message names the operation and SQLite's error text, which
// never contains bound values (row data).
Status FromSqlite(const SQLite::Exception& e, const char* what);

// Runs f() (returning Status or Result<T>) and converts any exception into R.
template <typename R, typename F>
R Guarded(const char* what, F&& f) {
  try {
    return f();
  } catch (const SQLite::Exception& e) {
    return FromSqlite(e, what);
  } catch (const std::exception& e) {
    return Internal(std::string(what) + ": " + e.what());
  }
}

// Runs f(Conn&) on a pooled read connection, converting exceptions into R.
template <typename R, typename F>
R WithReader(ReadPool& pool, const char* what, F&& f) {
  ReadPool::Lease lease = pool.Acquire();
  return Guarded<R>(what, [&]() -> R { return f(lease.conn()); });
}

// Column lists matching the readers below; use them in SELECTs as string-literal pieces.
#define SLIPWAY_INSTANCE_COLUMNS                                                          \
  "id, type, tenant, status, state, input_json, input_hash, context_json, result_json, " \
  "error_json, serial_key, version, last_seq, last_hash, created_at_ms, updated_at_ms, " \
  "deadline_ms, type_version"
#define SLIPWAY_EVENT_COLUMNS \
  "workflow_id, seq, at_ms, type, step, attempt, actor, data_json, prev_hash, hash"
#define SLIPWAY_TASK_COLUMNS                                                          \
  "id, workflow_id, kind, step, attempt, due_at_ms, payload_json, lease_owner, " \
  "lease_until_ms, lease_token"

Instance ReadInstance(SQLite::Statement& s);
HistoryEvent ReadEvent(SQLite::Statement& s);
Task ReadTask(SQLite::Statement& s);

// Schema (sqlite_schema.cc). Migrate runs the pending migrations, each in order, inside one
// BEGIN IMMEDIATE transaction, so concurrent openers of the same file apply each one once.
// A file at a version newer than this build knows gives kFailedPrecondition.
Status ConfigureWriter(Conn& c, bool synchronous_full);
Status Migrate(Conn& c);
// Extends the WAL of `db_path` with zeros up to `bytes` (sqlite_wal_prefill.cc), so that
// commits overwrite blocks the file has instead of growing it. Best effort: always Ok.
Status PrefillWal(Conn& c, const std::string& db_path, int64_t bytes);
int LatestSchemaVersion();
std::vector<int> AppliedSchemaVersions(Conn& c);  // throws SQLite::Exception

// Checkpoint application (sqlite_commit.cc), inside an open write transaction. Returns a
// non-ok Status for a rejected checkpoint (the caller rolls back); throws on SQLite errors.
class CheckpointWriter {
 public:
  explicit CheckpointWriter(Conn& c) : c_(c) {}
  Status Apply(const Checkpoint& cp, Failpoints& failpoints);

 private:
  Status WriteInstance(const Checkpoint& cp);
  Status AppendEvents(const Checkpoint& cp);
  Status FinishTasks(const Checkpoint& cp);
  void InsertTasks(const Checkpoint& cp);
  Status ApplySerial(const Checkpoint& cp);

  Conn& c_;
};

}  // namespace slipway::storage::sqlite
