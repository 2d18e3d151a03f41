// storage/sqlite_to_pg.cc: CopySqliteToPostgres (see sqlite_to_pg.h). Rows are read with
// SQLiteCpp from a read-only connection and inserted with one prepared statement per table,
// in one PostgreSQL transaction; the sequences are then moved past the copied
// ids so that new tasks and queue entries sort after the old ones.
#include "storage/sqlite_to_pg.h"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <pqxx/pqxx>

#include "engine/base/failpoints.h"
#include "storage/pg_conn.h"
#include "storage/pg_store.h"
#include "storage/sqlite_store.h"

namespace slipway::storage {
namespace {

Status PrepareSchemas(const std::string& sqlite_path, const std::string& dsn) {
  Failpoints none;
  SqliteOptions so{sqlite_path};
  so.wal_checkpoint_pages = 0;
  so.wal_prefill_bytes = 0;  // a source that is only read needs no room for commits
  auto src = SqliteStore::Open(so, none);
  if (!src.ok()) return src.status();
  PgOptions po;
  po.dsn = dsn;
  po.connections = 1;
  po.listen = false;
  auto dst = PgStore::Open(po, none);
  if (!dst.ok()) return dst.status();
  Result<StoreStats> stats = (*dst)->Stats();
  if (!stats.ok()) return stats.status();
  if (stats->instances != 0 || stats->tasks != 0) {
    return FailedPrecondition("the PostgreSQL database already holds workflows or tasks");
  }
  return Status::Ok();
}

// Copies `columns` of `table` (all TEXT or INTEGER, none NULL) row by row, as text that
// PostgreSQL converts to each column's type; returns the count. Table and column names are
// our own constants.
int64_t CopyTable(SQLite::Database& src, pqxx::connection& c, pqxx::work& w,
                  const std::string& table,
                  const std::vector<std::string>& columns, const std::string& select) {
  std::string insert = "INSERT INTO " + table + " (";
  std::string values;
  for (size_t i = 0; i < columns.size(); ++i) {
    insert += (i ? ", " : "") + columns[i];
    values += (i ? ", $" : "$") + std::to_string(i + 1);
  }
  insert += ") VALUES (" + values + ")";
  c.prepare("copy_" + table, insert);
  SQLite::Statement q(src, select);
  int64_t n = 0;
  std::vector<std::string> row(columns.size());
  while (q.executeStep()) {
    for (size_t i = 0; i < columns.size(); ++i) {
      row[i] = q.getColumn(static_cast<int>(i)).getString();
    }
    w.exec_prepared("copy_" + table, pqxx::prepare::make_dynamic_params(row));
    ++n;
  }
  return n;
}

const std::vector<std::string> kInstanceColumns = {
    "id", "type", "tenant", "status", "state", "input_json", "input_hash", "context_json",
    "result_json", "error_json", "serial_key", "version", "last_seq", "last_hash",
    "created_at_ms", "updated_at_ms", "deadline_ms", "type_version"};
const std::vector<std::string> kEventColumns = {"workflow_id", "seq", "at_ms", "type", "step",
                                                "attempt", "actor", "data_json", "prev_hash",
                                                "hash"};
const std::vector<std::string> kTaskColumns = {
    "id", "workflow_id", "kind", "step", "attempt", "due_at_ms", "payload_json", "lease_owner",
    "lease_until_ms", "lease_token"};

CopyReport CopyAll(SQLite::Database& src, pqxx::connection& c, pqxx::work& w) {
  CopyReport r;
  r.instances = CopyTable(src, c, w, "instances", kInstanceColumns,
                          "SELECT " SLIPWAY_PG_INSTANCE_COLUMNS " FROM instances");
  r.events = CopyTable(src, c, w, "history", kEventColumns,
                       "SELECT " SLIPWAY_PG_EVENT_COLUMNS " FROM history");
  // The old node is stopped: its leases are dropped, so the tasks run at once.
  r.tasks = CopyTable(src, c, w, "tasks", kTaskColumns,
                      "SELECT id, workflow_id, kind, step, attempt, due_at_ms, payload_json,"
                      " '', 0, lease_token FROM tasks");
  r.queued = CopyTable(src, c, w, "serial_queue", {"seq", "serial_key", "workflow_id"},
                       "SELECT seq, serial_key, workflow_id FROM serial_queue");
  r.records = CopyTable(src, c, w, "records", {"ns", "key", "value_json", "version"},
                        "SELECT ns, key, value_json, version FROM records");
  w.exec(
      "SELECT setval('tasks_id_seq', GREATEST((SELECT MAX(id) FROM tasks), 1));"
      "SELECT setval('serial_queue_seq_seq', GREATEST((SELECT MAX(seq) FROM serial_queue), 1))");
  return r;
}

}  // namespace

Result<CopyReport> CopySqliteToPostgres(const std::string& sqlite_path, const std::string& dsn) {
  SLIPWAY_RETURN_IF_ERROR(PrepareSchemas(sqlite_path, dsn));
  return pg::Guarded<Result<CopyReport>>("copy", [&]() -> Result<CopyReport> {
    try {
      SQLite::Database src(sqlite_path, SQLite::OPEN_READONLY);
      pqxx::connection c(dsn);
      pqxx::work w(c);
      CopyReport r = CopyAll(src, c, w);
      w.commit();
      return r;
    } catch (const SQLite::Exception& e) {
      return Internal(std::string("sqlite copy: ") + e.what());
    }
  });
}

}  // namespace slipway::storage
