// storage/sqlite_schema.cc: connection settings and the ordered list of schema migrations.
//
// Migrations are append-only: never edit a shipped one, add the next. Each runs once; the
// schema_version table records which ran. All pending ones run in one BEGIN IMMEDIATE
// transaction, so two processes opening a fresh file at once cannot both apply them.
#include <sqlite3.h>

#include "storage/sqlite_conn.h"

namespace slipway::storage::sqlite {
namespace {

struct Migration {
  int version;
  const char* sql;
};

// Foreign keys are left off: every history and task row is written by the checkpoint that
// writes its instance, in the same transaction, and a task may name another workflow (an
// "admit" task for the next in a serial queue). A key check would cost a lookup per row.
constexpr Migration kMigrations[] = {
    {1,
     "CREATE TABLE instances ("
     "  id TEXT PRIMARY KEY NOT NULL, type TEXT NOT NULL, tenant TEXT NOT NULL,"
     "  status TEXT NOT NULL, state TEXT NOT NULL, input_json TEXT NOT NULL,"
     "  input_hash TEXT NOT NULL, context_json TEXT NOT NULL, result_json TEXT NOT NULL,"
     "  error_json TEXT NOT NULL, serial_key TEXT NOT NULL, version INTEGER NOT NULL,"
     "  last_seq INTEGER NOT NULL, last_hash TEXT NOT NULL, created_at_ms INTEGER NOT NULL,"
     "  updated_at_ms INTEGER NOT NULL, deadline_ms INTEGER NOT NULL);"
     "CREATE TABLE history ("
     "  workflow_id TEXT NOT NULL, seq INTEGER NOT NULL, at_ms INTEGER NOT NULL,"
     "  type TEXT NOT NULL, step TEXT NOT NULL, attempt INTEGER NOT NULL,"
     "  actor TEXT NOT NULL, data_json TEXT NOT NULL, prev_hash TEXT NOT NULL,"
     "  hash TEXT NOT NULL, PRIMARY KEY (workflow_id, seq)) WITHOUT ROWID;"
     "CREATE TABLE tasks ("
     "  id INTEGER PRIMARY KEY AUTOINCREMENT, workflow_id TEXT NOT NULL,"
     "  kind TEXT NOT NULL, step TEXT NOT NULL, attempt INTEGER NOT NULL,"
     "  due_at_ms INTEGER NOT NULL, payload_json TEXT NOT NULL,"
     "  lease_owner TEXT NOT NULL DEFAULT '', lease_until_ms INTEGER NOT NULL DEFAULT 0);"
     "CREATE TABLE serial_queue ("
     "  seq INTEGER PRIMARY KEY AUTOINCREMENT, serial_key TEXT NOT NULL,"
     "  workflow_id TEXT NOT NULL UNIQUE);"
     "CREATE TABLE records ("
     "  ns TEXT NOT NULL, key TEXT NOT NULL, value_json TEXT NOT NULL,"
     "  version INTEGER NOT NULL, PRIMARY KEY (ns, key)) WITHOUT ROWID;"},
    {2,
     // List pages newest first per filter; (created_at_ms, id) makes the order total.
     "CREATE INDEX instances_created ON instances (created_at_ms, id);"
     "CREATE INDEX instances_tenant ON instances (tenant, created_at_ms, id);"
     "CREATE INDEX instances_status ON instances (status, created_at_ms, id);"
     "CREATE INDEX instances_type ON instances (type, created_at_ms, id);"
     // Claims scan due tasks in order; NextWakeUp reads the earliest live lease expiry;
     // kind capacity counts live leases per kind.
     "CREATE INDEX tasks_due ON tasks (due_at_ms, id);"
     "CREATE INDEX tasks_lease ON tasks (lease_until_ms) WHERE lease_owner <> '';"
     "CREATE INDEX tasks_kind_lease ON tasks (kind, lease_until_ms) WHERE lease_owner <> '';"
     "CREATE INDEX tasks_workflow ON tasks (workflow_id, id);"
     "CREATE INDEX serial_queue_key ON serial_queue (serial_key, seq);"},
    {3,
     // Fencing token of a task's lease: bumped by every claim of the row (store.h).
     "ALTER TABLE tasks ADD COLUMN lease_token INTEGER NOT NULL DEFAULT 0;"},
    {4,
     // The version of its type's table an instance started on (Instance::type_version);
     // every instance before versions ran on version 1.
     "ALTER TABLE instances ADD COLUMN type_version INTEGER NOT NULL DEFAULT 1;"},
};

constexpr char kCreateVersionTable[] =
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY NOT NULL)";

int StoredVersion(Conn& c) {
  Stmt s = c.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_version");
  s->executeStep();
  return s->getColumn(0).getInt();
}

Status MigrateInTransaction(Conn& c) {
  c.db().exec(kCreateVersionTable);
  const int stored = StoredVersion(c);
  if (stored > LatestSchemaVersion()) {
    return FailedPrecondition("database schema version " + std::to_string(stored) +
                              " is newer than this build knows (" +
                              std::to_string(LatestSchemaVersion()) + ")");
  }
  for (const Migration& m : kMigrations) {
    if (m.version <= stored) continue;
    c.db().exec(m.sql);
    Stmt ins = c.Prepare("INSERT INTO schema_version (version) VALUES (?)");
    ins->bind(1, m.version);
    ins->exec();
  }
  return Status::Ok();
}

}  // namespace

int LatestSchemaVersion() {
  return kMigrations[sizeof(kMigrations) / sizeof(kMigrations[0]) - 1].version;
}

Status ConfigureWriter(Conn& c, bool synchronous_full) {
  return Guarded<Status>("configure", [&]() -> Status {
    // journal_mode answers with the mode in force; anything but "wal" (e.g. a file on a
    // filesystem without shared memory) would silently lose the reader/writer split.
    std::string mode = c.db().execAndGet("PRAGMA journal_mode=WAL").getString();
    if (mode != "wal") return Internal("sqlite configure: journal_mode is " + mode);
    c.db().exec(synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
    c.db().exec("PRAGMA foreign_keys=OFF");
    // A checkpoint of a batch runs in a savepoint, whose statement journal would otherwise
    // spill to a temporary file (create, write, unlink) in every batch transaction.
    c.db().exec("PRAGMA temp_store=MEMORY");
    return Status::Ok();
  });
}

Status Migrate(Conn& c) {
  return Guarded<Status>("migrate", [&]() -> Status {
    c.Exec("BEGIN IMMEDIATE");
    Status st;
    try {
      st = MigrateInTransaction(c);
    } catch (...) {
      c.RollbackQuietly();
      throw;
    }
    if (!st.ok()) {
      c.RollbackQuietly();
      return st;
    }
    c.Exec("COMMIT");
    return Status::Ok();
  });
}

std::vector<int> AppliedSchemaVersions(Conn& c) {
  std::vector<int> out;
  Stmt s = c.Prepare("SELECT version FROM schema_version ORDER BY version");
  while (s->executeStep()) out.push_back(s->getColumn(0).getInt());
  return out;
}

}  // namespace slipway::storage::sqlite
