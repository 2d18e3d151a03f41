// storage/sqlite_store.cc: SqliteStore's opening, write transactions, commits and records.
// Reads are in sqlite_reads.cc, task claims and leases in sqlite_tasks.cc.
#include "storage/sqlite_store.h"

#include <sqlite3.h>

#include <chrono>
#include <cstring>
#include <mutex>

#include "storage/sqlite_conn.h"
#include "storage/sqlite_head_cache.h"
#include "storage/sqlite_wal_checkpointer.h"

namespace slipway::storage {

using sqlite::CheckpointWriter;
using sqlite::Conn;
using sqlite::Guarded;
using sqlite::Stmt;

namespace {

// Connections are used by one thread at a time, so SQLite's per-connection mutex is waste.
const int kWriterFlags = SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX;
const int kReaderFlags = SQLite::OPEN_READWRITE | SQLite::OPEN_NOMUTEX;

Result<std::unique_ptr<sqlite::ReadPool>> OpenReaders(const SqliteOptions& o) {
  std::vector<std::unique_ptr<Conn>> conns;
  Status st = Guarded<Status>("open reader", [&]() -> Status {
    for (int i = 0; i < o.read_connections; ++i) {
      auto c = std::make_unique<Conn>(o.path, kReaderFlags, o.busy_timeout_ms);
      c->db().exec("PRAGMA query_only=ON");  // a read connection never writes by mistake
      conns.push_back(std::move(c));
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return std::make_unique<sqlite::ReadPool>(std::move(conns));
}

// SQLite's memory statistics take a global mutex around every allocation of every
// connection; nothing here reads them. Only possible before SQLite initialises (the first
// connection of the process); later calls are refused by SQLite and change nothing.
void ConfigureSqliteOnce() {
  static std::once_flag once;
  std::call_once(once, [] { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

// The writer's update hook: every instances row a write transaction inserts, updates or
// deletes, whichever statement did it.
void NoteInstanceWrite(void* heads, int, const char*, const char* table, sqlite3_int64 rowid) {
  if (std::strcmp(table, "instances") == 0) static_cast<sqlite::HeadCache*>(heads)->Touched(rowid);
}

int64_t SteadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int NudgeCheckpointer(void* checkpointer, sqlite3*, const char*, int pages) {
  static_cast<sqlite::WalCheckpointer*>(checkpointer)->Nudge(pages);
  return SQLITE_OK;
}

// Replaces the writer's auto-checkpoint (sqlite3_wal_hook: there is one hook per connection).
Result<std::unique_ptr<sqlite::WalCheckpointer>> StartCheckpointer(const SqliteOptions& o,
                                                                   Conn& writer) {
  std::unique_ptr<sqlite::WalCheckpointer> checkpointer;
  if (o.wal_checkpoint_pages <= 0) return checkpointer;
  Status st = Guarded<Status>("open checkpointer", [&]() -> Status {
    checkpointer = std::make_unique<sqlite::WalCheckpointer>(o.path, o.wal_checkpoint_pages,
                                                             /*period_ms=*/1000);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  sqlite3_wal_hook(writer.db().getHandle(), NudgeCheckpointer, checkpointer.get());
  return checkpointer;
}

}  // namespace

SqliteStore::SqliteStore(Failpoints& failpoints,
                         std::unique_ptr<sqlite::WalCheckpointer> checkpointer,
                         std::unique_ptr<Conn> writer, std::unique_ptr<sqlite::ReadPool> readers,
                         const SqliteOptions& options)
    : failpoints_(failpoints),
      checkpointer_(std::move(checkpointer)),
      writer_(std::move(writer)),
      readers_(std::move(readers)),
      synchronous_full_(options.synchronous_full),
      foreign_check_ns_(static_cast<int64_t>(options.foreign_check_ms) * 1'000'000) {
  if (options.head_cache_entries > 0) {
    heads_ = std::make_unique<sqlite::HeadCache>(static_cast<size_t>(options.head_cache_entries));
    sqlite3_update_hook(writer_->db().getHandle(), &NoteInstanceWrite, heads_.get());
  }
}

SqliteStore::~SqliteStore() = default;

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const SqliteOptions& o,
                                                       Failpoints& failpoints) {
  if (o.path.empty()) return InvalidArgument("path", "must not be empty");
  if (o.read_connections < 1) return InvalidArgument("read_connections", "must be >= 1");
  if (o.busy_timeout_ms < 0) return InvalidArgument("busy_timeout_ms", "must be >= 0");
  if (o.head_cache_entries < 0) return InvalidArgument("head_cache_entries", "must be >= 0");
  if (o.foreign_check_ms < 0) return InvalidArgument("foreign_check_ms", "must be >= 0");
  if (o.wal_prefill_bytes < 0) return InvalidArgument("wal_prefill_bytes", "must be >= 0");
  ConfigureSqliteOnce();
  std::unique_ptr<Conn> writer;
  SLIPWAY_RETURN_IF_ERROR(Guarded<Status>("open", [&]() -> Status {
    writer = std::make_unique<Conn>(o.path, kWriterFlags, o.busy_timeout_ms);
    return Status::Ok();
  }));
  SLIPWAY_RETURN_IF_ERROR(sqlite::ConfigureWriter(*writer, o.synchronous_full));
  SLIPWAY_RETURN_IF_ERROR(sqlite::Migrate(*writer));
  sqlite::PrefillWal(*writer, o.path, o.wal_prefill_bytes).IgnoreError();  // a speed-up only
  auto readers = OpenReaders(o);
  if (!readers.ok()) return readers.status();
  auto checkpointer = StartCheckpointer(o, *writer);
  if (!checkpointer.ok()) return checkpointer.status();
  return std::unique_ptr<SqliteStore>(new SqliteStore(failpoints, std::move(*checkpointer),
                                                      std::move(writer), std::move(*readers), o));
}

int SqliteStore::LatestSchemaVersion() { return sqlite::LatestSchemaVersion(); }

Status SqliteStore::WriteTxn(const char* what, const std::function<Status(Conn&)>& body,
                             Durability durability) {
  std::lock_guard<std::mutex> lock(write_mu_);
  Conn& c = *writer_;
  // No frame can be added while we hold write_mu_: copying the rest lets the WAL start over.
  if (checkpointer_ && checkpointer_->TakeCatchUp()) sqlite::WalCheckpointer::CatchUp(c);
  const bool relax = durability == Durability::kLease && synchronous_full_;
  if (relax) {
    Status st = Guarded<Status>(what, [&]() -> Status {
      c.Exec("PRAGMA synchronous=NORMAL");
      return Status::Ok();
    });
    if (!st.ok()) return st;
  }
  Status st = Guarded<Status>(what, [&]() -> Status {
    c.Exec("BEGIN IMMEDIATE");
    CheckForeignCommits(c);  // nobody else can commit now until we are done
    const int64_t changes_before = c.TotalChanges();
    Status st;
    try {
      st = body(c);
      if (st.ok()) {
        const bool wrote = c.TotalChanges() != changes_before;
        c.Exec("COMMIT");
        if (wrote) commits_.fetch_add(1, std::memory_order_relaxed);
        return st;
      }
    } catch (...) {
      c.RollbackQuietly();
      throw;
    }
    c.RollbackQuietly();
    return st;
  });
  // Committed or not: the heads of the rows it touched are read again.
  if (heads_) heads_->WriteEnded();
  if (relax) {
    Status restored = Guarded<Status>(what, [&]() -> Status {
      c.Exec("PRAGMA synchronous=FULL");
      return Status::Ok();
    });
    // Checkpoints must never run without their fsync: a writer we cannot restore is broken.
    SLIPWAY_CHECK(restored.ok());
  }
  return st;
}

void SqliteStore::CheckForeignCommits(Conn& c) {
  if (!heads_) return;
  Stmt s = c.Prepare("PRAGMA data_version");
  const int64_t version = s->executeStep() ? s->getColumn(0).getInt64() : -1;
  if (version != writer_data_version_) {
    heads_->ForgetAll();
    writer_data_version_ = version;
  }
  foreign_checked_ns_.store(SteadyNowNs(), std::memory_order_release);
}

bool SqliteStore::HeadCacheIsCurrent() {
  if (SteadyNowNs() - foreign_checked_ns_.load(std::memory_order_acquire) <= foreign_check_ns_) {
    return true;
  }
  std::unique_lock<std::mutex> lock(write_mu_, std::try_to_lock);
  if (!lock.owns_lock()) return false;  // a write transaction is about to look anyway
  return Guarded<Status>("data_version", [&]() -> Status {
           CheckForeignCommits(*writer_);
           return Status::Ok();
         }).ok();
}

Status SqliteStore::Commit(const Checkpoint& cp) {
  SLIPWAY_RETURN_IF_ERROR(failpoints_.Hit("store.commit.before"));
  SLIPWAY_RETURN_IF_ERROR(WriteTxn("commit", [&](Conn& c) {
    return CheckpointWriter(c).Apply(cp, failpoints_);
  }));
  // The ambiguous case: committed, yet the caller hears an error.
  return failpoints_.Hit("store.commit.after");
}

Status SqliteStore::ApplyInBatch(Conn& c, const Checkpoint& cp) {
  try {
    return CheckpointWriter(c).Apply(cp, failpoints_);
  } catch (const SQLite::Exception& e) {
    // Some errors (IOERR, FULL) roll back the whole transaction: then the batch fails.
    if (!c.InTransaction()) throw;
    return sqlite::FromSqlite(e, "commit_batch");
  }
}

Status SqliteStore::CommitInSavepoint(Conn& c, const Checkpoint& cp) {
  c.Exec("SAVEPOINT checkpoint");
  Status st = ApplyInBatch(c, cp);
  if (!st.ok()) c.Exec("ROLLBACK TO checkpoint");
  c.Exec("RELEASE checkpoint");
  return st;
}

// The fast way: no savepoints. A checkpoint rejected before it wrote a row (the usual case:
// its version moved) is simply skipped. One that fails after writing rows sets *partial to
// its index and aborts the transaction; the caller then takes the slow way.
Status SqliteStore::ApplyBatchWithoutSavepoints(Conn& c, const std::vector<Checkpoint>& cps,
                                                std::vector<Status>& out, size_t* partial) {
  for (size_t i = 0; i < cps.size(); ++i) {
    const int64_t before = c.TotalChanges();
    out[i] = ApplyInBatch(c, cps[i]);
    if (!out[i].ok() && c.TotalChanges() != before) {
      *partial = i;
      return Internal("a checkpoint failed half-way");  // rolls the transaction back
    }
  }
  return Status::Ok();
}

std::vector<Status> SqliteStore::CommitBatch(const std::vector<Checkpoint>& cps) {
  std::vector<Status> out(cps.size());
  if (cps.empty()) return out;
  Status whole = failpoints_.Hit("store.commit.before");
  size_t partial = cps.size();
  if (whole.ok()) {
    whole = WriteTxn("commit_batch", [&](Conn& c) {
      return ApplyBatchWithoutSavepoints(c, cps, out, &partial);
    });
  }
  if (partial < cps.size()) {
    // The slow way, rarely: every other checkpoint again, each in its own savepoint; the
    // one that failed half-way keeps its error.
    const Status failed = out[partial];
    whole = WriteTxn("commit_batch", [&](Conn& c) {
      for (size_t i = 0; i < cps.size(); ++i) {
        out[i] = i == partial ? failed : CommitInSavepoint(c, cps[i]);
      }
      return Status::Ok();
    });
  }
  // After a failed transaction nothing was committed; after "store.commit.after" everything
  // that succeeded was. Either way the checkpoints that looked fine get the error.
  if (whole.ok()) whole = failpoints_.Hit("store.commit.after");
  if (!whole.ok()) {
    for (Status& s : out) {
      if (s.ok()) s = whole;
    }
  }
  return out;
}

Status SqliteStore::PutRecord(const Record& r, int64_t expected_version) {
  if (expected_version < 0) return InvalidArgument("expected_version", "must be >= 0");
  return WriteTxn("put_record", [&](Conn& c) -> Status {
    int changed = 0;
    if (expected_version == 0) {
      Stmt s = c.Prepare(
          "INSERT INTO records (ns, key, value_json, version) VALUES (?, ?, ?, 1)"
          " ON CONFLICT (ns, key) DO NOTHING");
      s->bind(1, r.ns);
      s->bind(2, r.key);
      s->bind(3, r.value_json);
      changed = s->exec();
    } else {
      Stmt s = c.Prepare(
          "UPDATE records SET value_json = ?, version = version + 1"
          " WHERE ns = ? AND key = ? AND version = ?");
      s->bind(1, r.value_json);
      s->bind(2, r.ns);
      s->bind(3, r.key);
      s->bind(4, static_cast<int64_t>(expected_version));
      changed = s->exec();
    }
    if (changed == 0) return Conflict("record version moved");
    return Status::Ok();
  });
}

}  // namespace slipway::storage
