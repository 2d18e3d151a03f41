// storage/pg_schema.cc: PgStore's ordered list of schema migrations.
//
// Migrations are append-only: never edit a shipped one, add the next. The schema_version table
// records which ran. Open holds a session advisory lock (kLockMigrate) while it reads the
// version and applies what is missing, each migration in its own transaction with its row in
// schema_version, so nodes starting at once apply each migration exactly once and a node that
// dies half-way leaves a consistent schema behind.
//
// Text columns that are compared or ordered (ids, kinds, keys) use the "C" collation: byte
// order, as SQLite's, whatever the database's locale.
#include "storage/pg_conn.h"

namespace slipway::storage::pg {
namespace {

struct Migration {
  int version;
  const char* sql;
};

constexpr Migration kMigrations[] = {
    {1,
     "CREATE TABLE instances ("
     "  id TEXT COLLATE \"C\" PRIMARY KEY, type TEXT COLLATE \"C\" NOT NULL,"
     "  tenant TEXT COLLATE \"C\" NOT NULL, status TEXT COLLATE \"C\" NOT NULL,"
     "  state TEXT NOT NULL, input_json TEXT NOT NULL, input_hash TEXT NOT NULL,"
     "  context_json TEXT NOT NULL, result_json TEXT NOT NULL, error_json TEXT NOT NULL,"
     "  serial_key TEXT COLLATE \"C\" NOT NULL, version BIGINT NOT NULL,"
     "  last_seq BIGINT NOT NULL, last_hash TEXT NOT NULL, created_at_ms BIGINT NOT NULL,"
     "  updated_at_ms BIGINT NOT NULL, deadline_ms BIGINT NOT NULL);"
     "CREATE TABLE history ("
     "  workflow_id TEXT COLLATE \"C\" NOT NULL, seq BIGINT NOT NULL, at_ms BIGINT NOT NULL,"
     "  type TEXT NOT NULL, step TEXT NOT NULL, attempt INTEGER NOT NULL,"
     "  actor TEXT NOT NULL, data_json TEXT NOT NULL, prev_hash TEXT NOT NULL,"
     "  hash TEXT NOT NULL, PRIMARY KEY (workflow_id, seq));"
     "CREATE TABLE tasks ("
     "  id BIGSERIAL PRIMARY KEY, workflow_id TEXT COLLATE \"C\" NOT NULL,"
     "  kind TEXT COLLATE \"C\" NOT NULL, step TEXT NOT NULL, attempt INTEGER NOT NULL,"
     "  due_at_ms BIGINT NOT NULL, payload_json TEXT NOT NULL,"
     "  lease_owner TEXT COLLATE \"C\" NOT NULL DEFAULT '',"
     "  lease_until_ms BIGINT NOT NULL DEFAULT 0, lease_token BIGINT NOT NULL DEFAULT 0);"
     "CREATE TABLE serial_queue ("
     "  seq BIGSERIAL PRIMARY KEY, serial_key TEXT COLLATE \"C\" NOT NULL,"
     "  workflow_id TEXT COLLATE \"C\" NOT NULL UNIQUE);"
     "CREATE TABLE records ("
     "  ns TEXT COLLATE \"C\" NOT NULL, key TEXT COLLATE \"C\" NOT NULL,"
     "  value_json TEXT NOT NULL, version BIGINT NOT NULL, PRIMARY KEY (ns, key));"},
    {2,
     // As SqliteStore's: list pages per filter, due-ordered claims, live leases per kind.
     "CREATE INDEX instances_created ON instances (created_at_ms, id);"
     "CREATE INDEX instances_tenant ON instances (tenant, created_at_ms, id);"
     "CREATE INDEX instances_status ON instances (status, created_at_ms, id);"
     "CREATE INDEX instances_type ON instances (type, created_at_ms, id);"
     "CREATE INDEX tasks_due ON tasks (due_at_ms, id);"
     "CREATE INDEX tasks_lease ON tasks (lease_until_ms) WHERE lease_owner <> '';"
     "CREATE INDEX tasks_kind_lease ON tasks (kind, lease_until_ms) WHERE lease_owner <> '';"
     "CREATE INDEX tasks_workflow ON tasks (workflow_id, id);"
     "CREATE INDEX serial_queue_key ON serial_queue (serial_key, seq);"},
    {3,
     // The version of its type's table an instance started on (Instance::type_version);
     // every instance before versions ran on version 1.
     "ALTER TABLE instances ADD COLUMN type_version BIGINT NOT NULL DEFAULT 1;"},
};

int StoredVersion(pqxx::connection& c) {
  pqxx::work t(c);
  t.exec0("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY)");
  const int v = t.exec1("SELECT COALESCE(MAX(version), 0) FROM schema_version")[0].as<int>();
  t.commit();
  return v;
}

Status MigrateLocked(pqxx::connection& c, int up_to) {
  const int stored = StoredVersion(c);
  if (stored > LatestSchemaVersion()) {
    return FailedPrecondition("database schema version " + std::to_string(stored) +
                              " is newer than this build knows (" +
                              std::to_string(LatestSchemaVersion()) + ")");
  }
  for (const Migration& m : kMigrations) {
    if (m.version <= stored || m.version > up_to) continue;
    pqxx::work t(c);
    t.exec0(m.sql);
    t.exec_params0("INSERT INTO schema_version (version) VALUES ($1)", m.version);
    t.commit();
  }
  return Status::Ok();
}

}  // namespace

int LatestSchemaVersion() {
  return kMigrations[sizeof(kMigrations) / sizeof(kMigrations[0]) - 1].version;
}

Status Migrate(pqxx::connection& c, int up_to) {
  if (up_to <= 0) up_to = LatestSchemaVersion();
  {
    pqxx::nontransaction t(c);
    t.exec_params("SELECT pg_advisory_lock($1, 0)", kLockMigrate);
  }
  // On an exception the session lock goes with the connection, which Open then drops.
  Status st = MigrateLocked(c, up_to);
  pqxx::nontransaction t(c);
  t.exec_params("SELECT pg_advisory_unlock($1, 0)", kLockMigrate);
  return st;
}

std::vector<int> AppliedSchemaVersions(pqxx::transaction_base& t) {
  std::vector<int> out;
  for (const auto& row : t.exec("SELECT version FROM schema_version ORDER BY version")) {
    out.push_back(row[0].as<int>());
  }
  return out;
}

}  // namespace slipway::storage::pg
