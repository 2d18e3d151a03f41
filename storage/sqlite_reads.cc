// storage/sqlite_reads.cc: SqliteStore's reads (Load, List, History, SerialQueue, GetRecord,
// Stats, CountByTypeAndStatus). Each runs on a pooled read connection, so it never waits
// behind a write (WAL).
#include <array>

#include "storage/list_cursor.h"
#include "storage/sqlite_conn.h"
#include "storage/sqlite_head_cache.h"
#include "storage/sqlite_store.h"

namespace slipway::storage {

using sqlite::Conn;
using sqlite::Stmt;
using sqlite::WithReader;

namespace {

// The List statement for one combination of filters. Built once from constant pieces only;
// every value is bound: ?1 tenant, ?2 status, ?3 type, ?4/?5 cursor, ?6 limit, ?7/?8 the
// creation window [after, before) (an open side bound to the extreme value).
const char* ListSql(bool tenant, bool status, bool type, bool cursor, bool window) {
  static const std::array<std::string, 32> kSql = [] {
    std::array<std::string, 32> sql;
    for (int m = 0; m < 32; ++m) {
      std::string s = "SELECT " SLIPWAY_INSTANCE_COLUMNS " FROM instances WHERE 1";
      if (m & 1) s += " AND tenant = ?1";
      if (m & 2) s += " AND status = ?2";
      if (m & 4) s += " AND type = ?3";
      if (m & 8) s += " AND (created_at_ms, id) < (?4, ?5)";
      if (m & 16) s += " AND created_at_ms >= ?7 AND created_at_ms < ?8";
      s += " ORDER BY created_at_ms DESC, id DESC LIMIT ?6";
      sql[m] = s;
    }
    return sql;
  }();
  return kSql[(tenant ? 1 : 0) | (status ? 2 : 0) | (type ? 4 : 0) | (cursor ? 8 : 0) |
              (window ? 16 : 0)]
      .c_str();
}

ListPage RunList(Conn& c, const ListQuery& q, const std::optional<ListCursor>& cursor,
                 int limit) {
  const bool window = q.created_after_ms.has_value() || q.created_before_ms.has_value();
  Stmt s = c.Prepare(ListSql(!q.tenant.empty(), !q.status.empty(), !q.type.empty(),
                             cursor.has_value(), window));
  s->bind(1, q.tenant);
  s->bind(2, q.status);
  s->bind(3, q.type);
  s->bind(4, static_cast<int64_t>(cursor ? cursor->created_at_ms : 0));
  s->bind(5, cursor ? cursor->id : std::string());
  s->bind(6, limit + 1);  // one more tells whether another page exists
  if (window) {
    s->bind(7, static_cast<int64_t>(q.created_after_ms.value_or(INT64_MIN)));
    s->bind(8, static_cast<int64_t>(q.created_before_ms.value_or(INT64_MAX)));
  }
  ListPage page;
  while (s->executeStep()) page.instances.push_back(sqlite::ReadInstance(*s));
  if (static_cast<int>(page.instances.size()) > limit) {
    page.instances.pop_back();
    page.next_cursor = EncodeListCursor(page.instances.back());
  }
  return page;
}

}  // namespace

Result<Instance> SqliteStore::Load(const std::string& id) {
  return WithReader<Result<Instance>>(*readers_, "load", [&](Conn& c) -> Result<Instance> {
    Stmt s = c.Prepare("SELECT " SLIPWAY_INSTANCE_COLUMNS " FROM instances WHERE id = ?");
    s->bind(1, id);
    if (!s->executeStep()) return NotFound("no such workflow instance");
    return sqlite::ReadInstance(*s);
  });
}

Result<Instance> SqliteStore::LoadHead(const std::string& id) {
  const bool cached = heads_ && HeadCacheIsCurrent();
  if (cached) {
    if (std::optional<Instance> head = heads_->Find(id)) return *head;
  }
  const uint64_t generation = heads_ ? heads_->generation() : 0;
  int64_t rowid = 0;
  Result<Instance> r =
      WithReader<Result<Instance>>(*readers_, "load_head", [&](Conn& c) -> Result<Instance> {
        Stmt s = c.Prepare(
            "SELECT rowid, type, tenant, status, serial_key, version FROM instances WHERE id = ?");
        s->bind(1, id);
        if (!s->executeStep()) return NotFound("no such workflow instance");
        Instance head;
        head.id = id;
        rowid = s->getColumn(0).getInt64();
        head.type = s->getColumn(1).getString();
        head.tenant = s->getColumn(2).getString();
        head.status = s->getColumn(3).getString();
        head.serial_key = s->getColumn(4).getString();
        head.version = s->getColumn(5).getInt64();
        return head;
      });
  if (r.ok() && heads_) heads_->Put(*r, rowid, generation);
  return r;
}

Result<ListPage> SqliteStore::List(const ListQuery& q) {
  std::optional<ListCursor> cursor;
  if (!q.cursor.empty()) {
    Result<ListCursor> parsed = DecodeListCursor(q.cursor);
    if (!parsed.ok()) return parsed.status();
    cursor = *parsed;
  }
  const int limit = ClampListLimit(q.limit);
  return WithReader<Result<ListPage>>(*readers_, "list", [&](Conn& c) -> Result<ListPage> {
    return RunList(c, q, cursor, limit);
  });
}

Result<std::vector<HistoryEvent>> SqliteStore::History(const std::string& id, int64_t after_seq,
                                                       int limit) {
  using R = Result<std::vector<HistoryEvent>>;
  return WithReader<R>(*readers_, "history", [&](Conn& c) -> R {
    Stmt s = c.Prepare("SELECT " SLIPWAY_EVENT_COLUMNS
                       " FROM history WHERE workflow_id = ? AND seq > ? ORDER BY seq LIMIT ?");
    s->bind(1, id);
    s->bind(2, static_cast<int64_t>(after_seq));
    s->bind(3, limit <= 0 ? -1 : limit);  // a negative LIMIT means none in SQLite
    std::vector<HistoryEvent> out;
    while (s->executeStep()) out.push_back(sqlite::ReadEvent(*s));
    return out;
  });
}

Result<std::vector<std::string>> SqliteStore::SerialQueue(const std::string& serial_key) {
  using R = Result<std::vector<std::string>>;
  return WithReader<R>(*readers_, "serial_queue", [&](Conn& c) -> R {
    Stmt s = c.Prepare("SELECT workflow_id FROM serial_queue WHERE serial_key = ? ORDER BY seq");
    s->bind(1, serial_key);
    std::vector<std::string> out;
    while (s->executeStep()) out.push_back(s->getColumn(0).getString());
    return out;
  });
}

Result<Record> SqliteStore::GetRecord(const std::string& ns, const std::string& key) {
  return WithReader<Result<Record>>(*readers_, "get_record", [&](Conn& c) -> Result<Record> {
    Stmt s = c.Prepare("SELECT value_json, version FROM records WHERE ns = ? AND key = ?");
    s->bind(1, ns);
    s->bind(2, key);
    if (!s->executeStep()) return NotFound("no such record");
    return Record{ns, key, s->getColumn(0).getString(), s->getColumn(1).getInt64()};
  });
}

Result<std::vector<Record>> SqliteStore::ListRecords(const std::string& ns,
                                                     const std::string& after_key, int limit) {
  using R = Result<std::vector<Record>>;
  if (limit < 1 || limit > kMaxRecordPage) {
    return InvalidArgument("limit", "must be 1 to " + std::to_string(kMaxRecordPage));
  }
  return WithReader<R>(*readers_, "list_records", [&](Conn& c) -> R {
    // The primary key (ns, key) orders keys bytewise (BINARY collation).
    Stmt s = c.Prepare(
        "SELECT key, value_json, version FROM records WHERE ns = ? AND key > ?"
        " ORDER BY key LIMIT ?");
    s->bind(1, ns);
    s->bind(2, after_key);
    s->bind(3, limit);
    std::vector<Record> out;
    while (s->executeStep()) {
      out.push_back(Record{ns, s->getColumn(0).getString(), s->getColumn(1).getString(),
                           s->getColumn(2).getInt64()});
    }
    return out;
  });
}

Result<StoreStats> SqliteStore::Stats() {
  auto counted = WithReader<Result<StoreStats>>(*readers_, "stats",
                                                [&](Conn& c) -> Result<StoreStats> {
    // One statement, hence one snapshot: the counts agree with each other. Events are
    // counted from the instances (a history is seq 1..last_seq, append-only): scraping
    // metrics must not scan a history table that grows without bound.
    Stmt s = c.Prepare(
        "SELECT (SELECT COUNT(*) FROM instances),"
        " (SELECT COALESCE(SUM(last_seq), 0) FROM instances),"
        " (SELECT COUNT(*) FROM tasks), (SELECT COUNT(*) FROM tasks WHERE lease_owner <> '')");
    s->executeStep();
    StoreStats st;
    st.instances = s->getColumn(0).getInt64();
    st.events = s->getColumn(1).getInt64();
    st.tasks = s->getColumn(2).getInt64();
    st.leased_tasks = s->getColumn(3).getInt64();
    return st;
  });
  if (counted.ok()) counted->commits = commits_.load(std::memory_order_relaxed);
  return counted;
}

Result<std::vector<TypeStatusCount>> SqliteStore::CountByTypeAndStatus() {
  using R = Result<std::vector<TypeStatusCount>>;
  return WithReader<R>(*readers_, "count_by_type_status", [&](Conn& c) -> R {
    Stmt s = c.Prepare(
        "SELECT type, status, COUNT(*) FROM instances GROUP BY type, status"
        " ORDER BY type, status");
    std::vector<TypeStatusCount> out;
    while (s->executeStep()) {
      out.push_back({s->getColumn(0).getString(), s->getColumn(1).getString(),
                     s->getColumn(2).getInt64()});
    }
    return out;
  });
}

Result<std::vector<int>> SqliteStore::AppliedSchemaVersions() {
  using R = Result<std::vector<int>>;
  return WithReader<R>(*readers_, "schema_versions",
                       [&](Conn& c) -> R { return sqlite::AppliedSchemaVersions(c); });
}

}  // namespace slipway::storage
