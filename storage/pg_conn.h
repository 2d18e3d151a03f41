// storage/pg_conn.h: internals of PgStore, not for use outside storage/.
//
// Owns: one libpqxx connection with the names of the statements it has prepared (Conn), the
// pool of connections (Pool), the conversion of libpqxx exceptions into Status (Guarded), the
// row readers, array literals, the schema migrations and the checkpoint writer.
//
// Thread-safety: a Conn is used by one thread at a time (while checked out of the pool). Pool
// is thread-safe. A connection that broke is dropped when it comes back to the pool and a new
// one is made on the next Acquire, so one restart of the server costs one failed call.
#pragma once

#include <pqxx/pqxx>

#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "engine/base/failpoints.h"
#include "engine/base/status.h"
#include "storage/store.h"

namespace slipway::storage::pg {

// A statement: a stable name (the prepared statement's) and its text. Values are always
// parameters ($1...): SQL is never built from input.
struct Sql {
  const char* name;
  const char* text;
};

struct Conn {
  explicit Conn(const std::string& dsn) : raw(dsn) {}
  // Prepares `s` on this connection the first time it is used here.
  void Prepare(const Sql& s);

  pqxx::connection raw;
  std::set<std::string> prepared;
};

// Runs a prepared statement inside transaction `t` of connection `c`.
template <typename... Args>
pqxx::result Run(Conn& c, pqxx::transaction_base& t, const Sql& s, Args&&... args) {
  c.Prepare(s);
  return t.exec_prepared(s.name, std::forward<Args>(args)...);
}

class Pool {
 public:
  Pool(std::string dsn, int size, bool synchronous_commit);
  const std::string& dsn() const { return dsn_; }

  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<Conn> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { pool_->Return(std::move(conn_)); }
    Conn& conn() { return *conn_; }

   private:
    Pool* pool_;
    std::unique_ptr<Conn> conn_;
  };
  // Blocks while every connection is checked out. Throws pqxx::broken_connection when a new
  // connection cannot be made (callers are inside Guarded).
  Lease Acquire();

 private:
  void Return(std::unique_ptr<Conn> conn);
  std::unique_ptr<Conn> Connect();

  const std::string dsn_;
  const bool synchronous_commit_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Conn>> free_;  // guarded by mu_
  int available_;                            // free or not yet made; guarded by mu_
};

// Lost connection, deadlock, serialisation failure, commit in doubt, server shutting down or
// out of resources -> kUnavailable; unique violation -> kConflict; corrupted data ->
// kCorruption; else kInternal. The message has the operation and SQLSTATE, never row data.
Status FromException(const std::exception& e, const char* what);

// Runs f() (returning Status or Result<T>) and converts any exception into R.
template <typename R, typename F>
R Guarded(const char* what, F&& f) {
  try {
    return f();
  } catch (const std::exception& e) {
    return FromException(e, what);
  }
}

// Runs f(Conn&, pqxx::transaction_base&) in a read-only transaction on a pooled connection.
template <typename R, typename F>
R WithReader(Pool& pool, const char* what, F&& f) {
  return Guarded<R>(what, [&]() -> R {
    Pool::Lease lease = pool.Acquire();
    pqxx::read_transaction t(lease.conn().raw);
    return f(lease.conn(), t);
  });
}

// Column lists matching the readers below.
#define SLIPWAY_PG_INSTANCE_COLUMNS                                                      \
  "id, type, tenant, status, state, input_json, input_hash, context_json, result_json, " \
  "error_json, serial_key, version, last_seq, last_hash, created_at_ms, updated_at_ms, " \
  "deadline_ms, type_version"
#define SLIPWAY_PG_EVENT_COLUMNS \
  "workflow_id, seq, at_ms, type, step, attempt, actor, data_json, prev_hash, hash"
#define SLIPWAY_PG_TASK_COLUMNS                                                       \
  "id, workflow_id, kind, step, attempt, due_at_ms, payload_json, lease_owner, " \
  "lease_until_ms, lease_token"

Instance ReadInstance(const pqxx::row& r);
HistoryEvent ReadEvent(const pqxx::row& r);
Task ReadTask(const pqxx::row& r);

// Array literals for $n::bigint[] and $n::text[] parameters.
std::string BigintArray(const std::vector<int64_t>& values);
std::string TextArray(const std::vector<std::string>& values);

// Advisory lock namespaces (the first key of pg_advisory_*lock(int, int)).
constexpr int kLockMigrate = 0x5157;
constexpr int kLockSerialKey = 0x5158;
constexpr int kLockKindCapacity = 0x5159;

// Schema (pg_schema.cc). Migrate applies the pending migrations up to `up_to` (0 = latest)
// under a session advisory lock, each in its own transaction. kFailedPrecondition when the
// database is newer than this build. Throws on database errors.
Status Migrate(pqxx::connection& c, int up_to);
int LatestSchemaVersion();
std::vector<int> AppliedSchemaVersions(pqxx::transaction_base& t);

// Checkpoint application (pg_commit.cc), inside an open transaction. Returns a non-ok Status
// for a rejected checkpoint (the caller aborts); throws on database errors.
class CheckpointWriter {
 public:
  CheckpointWriter(Conn& c, pqxx::transaction_base& t) : c_(c), t_(t) {}
  Status Apply(const Checkpoint& cp, Failpoints& failpoints);

 private:
  Status WriteInstance(const Checkpoint& cp);
  Status AppendEvents(const Checkpoint& cp);
  Status FinishTasks(const Checkpoint& cp);
  void InsertTasks(const Checkpoint& cp);
  void ApplySerial(const Checkpoint& cp);

  Conn& c_;
  pqxx::transaction_base& t_;
};

// The NOTIFY channel and the notices (pg_listener.h): a checkpoint of `workflow_id`, or
// tasks made claimable (workflow_id empty).
constexpr char kChannel[] = "slipway_changes";
void Notify(Conn& c, pqxx::transaction_base& t, const std::string& node_tag,
            const std::string& workflow_id);

// One read-write transaction of PgStore::WriteTxn.
struct Txn {
  Conn& c;
  pqxx::work& t;
  std::vector<std::string>& changed;  // workflows whose heads change; announced at commit
  bool wrote = false;                 // some row changed: counts in Stats().commits
  bool tasks_freed = false;           // tasks became claimable: announced at commit
};

}  // namespace slipway::storage::pg
