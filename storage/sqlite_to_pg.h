// storage/sqlite_to_pg.h: moves a SQLite installation to PostgreSQL: copies every row of a
// SqliteStore file (instances, history, tasks, serial queues, records) into an empty
// PostgreSQL database, in one PostgreSQL transaction, keeping task ids and queue order.
//
// Requires: no slipwayd runs on the SQLite file (leases of the old node are dropped, so its
// tasks run at once on the new nodes). The SQLite file is first brought to this build's schema
// (as SqliteStore::Open does); the PostgreSQL database gets its schema as PgStore::Open does.
// Errors: kFailedPrecondition (the PostgreSQL database already holds workflows or tasks),
// kUnavailable, kInternal; nothing is written to PostgreSQL unless everything is. Messages
// never contain row data or the connection string.
#pragma once

#include <cstdint>
#include <string>

#include "engine/base/status.h"

namespace slipway::storage {

struct CopyReport {
  int64_t instances = 0;
  int64_t events = 0;
  int64_t tasks = 0;
  int64_t queued = 0;
  int64_t records = 0;
};

Result<CopyReport> CopySqliteToPostgres(const std::string& sqlite_path, const std::string& dsn);

}  // namespace slipway::storage
