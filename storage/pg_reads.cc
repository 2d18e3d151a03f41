// storage/pg_reads.cc: PgStore's reads (Load, LoadHead, List, History, SerialQueue,
// GetRecord, Stats, CountByTypeAndStatus, AppliedSchemaVersions). Each runs in a read-only
// transaction on a pooled connection.
#include <array>

#include "storage/list_cursor.h"
#include "storage/pg_conn.h"
#include "storage/pg_head_cache.h"
#include "storage/pg_listener.h"
#include "storage/pg_store.h"

namespace slipway::storage {

using pg::Conn;
using pg::Run;
using pg::Sql;
using pg::WithReader;

namespace {

// The List statement for one combination of filters, built once from constant pieces; every
// value is a parameter: $1 tenant, $2 status, $3 type, $4/$5 cursor, $6 limit, $7/$8 the
// creation window [after, before) (an open side passed as the extreme value).
const Sql& ListSql(bool tenant, bool status, bool type, bool cursor, bool window) {
  struct Variant {
    std::string name;
    std::string text;
    Sql sql;
  };
  static const std::array<Variant, 32>* kVariants = [] {
    auto* v = new std::array<Variant, 32>();
    for (int m = 0; m < 32; ++m) {
      std::string s = "SELECT " SLIPWAY_PG_INSTANCE_COLUMNS " FROM instances WHERE TRUE";
      s += (m & 1) ? " AND tenant = $1" : " AND $1::text IS NOT NULL";
      s += (m & 2) ? " AND status = $2" : " AND $2::text IS NOT NULL";
      s += (m & 4) ? " AND type = $3" : " AND $3::text IS NOT NULL";
      s += (m & 8) ? " AND (created_at_ms, id) < ($4::bigint, $5::text)"
                   : " AND $4::bigint IS NOT NULL AND $5::text IS NOT NULL";
      s += (m & 16) ? " AND created_at_ms >= $7::bigint AND created_at_ms < $8::bigint"
                    : " AND $7::bigint IS NOT NULL AND $8::bigint IS NOT NULL";
      s += " ORDER BY created_at_ms DESC, id DESC LIMIT $6";
      (*v)[m].name = "list_" + std::to_string(m);
      (*v)[m].text = s;
      (*v)[m].sql = Sql{(*v)[m].name.c_str(), (*v)[m].text.c_str()};
    }
    return v;
  }();
  return (*kVariants)[(tenant ? 1 : 0) | (status ? 2 : 0) | (type ? 4 : 0) | (cursor ? 8 : 0) |
                      (window ? 16 : 0)]
      .sql;
}

constexpr Sql kLoad{"load",
                    "SELECT " SLIPWAY_PG_INSTANCE_COLUMNS " FROM instances WHERE id = $1"};
constexpr Sql kLoadHead{
    "load_head", "SELECT type, tenant, status, serial_key, version FROM instances WHERE id = $1"};
constexpr Sql kHistory{"history", "SELECT " SLIPWAY_PG_EVENT_COLUMNS
                                  " FROM history WHERE workflow_id = $1 AND seq > $2"
                                  " ORDER BY seq LIMIT $3"};
constexpr Sql kHistoryAll{"history_all", "SELECT " SLIPWAY_PG_EVENT_COLUMNS
                                         " FROM history WHERE workflow_id = $1 AND seq > $2"
                                         " ORDER BY seq"};
constexpr Sql kSerialQueue{
    "serial_queue", "SELECT workflow_id FROM serial_queue WHERE serial_key = $1 ORDER BY seq"};
constexpr Sql kGetRecord{"get_record",
                         "SELECT value_json, version FROM records WHERE ns = $1 AND key = $2"};
// One statement, hence one snapshot. Events are counted from the instances (a history is
// seq 1..last_seq, append-only): metrics must not scan the history table.
constexpr Sql kStats{
    "stats",
    "SELECT (SELECT COUNT(*) FROM instances),"
    " (SELECT COALESCE(SUM(last_seq), 0) FROM instances),"
    " (SELECT COUNT(*) FROM tasks), (SELECT COUNT(*) FROM tasks WHERE lease_owner <> '')"};
constexpr Sql kCountByTypeStatus{
    "count_by_type_status",
    "SELECT type, status, COUNT(*) FROM instances GROUP BY type, status ORDER BY type, status"};

}  // namespace

Result<Instance> PgStore::Load(const std::string& id) {
  using R = Result<Instance>;
  return WithReader<R>(*pool_, "load", [&](Conn& c, pqxx::transaction_base& t) -> R {
    pqxx::result r = Run(c, t, kLoad, id);
    if (r.empty()) return NotFound("no such workflow instance");
    return pg::ReadInstance(r[0]);
  });
}

Result<Instance> PgStore::LoadHead(const std::string& id) {
  // Without a live listener another node's commit could go unnoticed: read through.
  const bool cacheable = heads_ && listening_ && listening_->connected();
  if (cacheable) {
    if (std::optional<Instance> head = heads_->Find(id)) return *head;
  }
  const uint64_t generation = cacheable ? heads_->generation() : 0;
  using R = Result<Instance>;
  R r = WithReader<R>(*pool_, "load_head", [&](Conn& c, pqxx::transaction_base& t) -> R {
    pqxx::result res = Run(c, t, kLoadHead, id);
    if (res.empty()) return NotFound("no such workflow instance");
    Instance head;
    head.id = id;
    head.type = res[0][0].as<std::string>();
    head.tenant = res[0][1].as<std::string>();
    head.status = res[0][2].as<std::string>();
    head.serial_key = res[0][3].as<std::string>();
    head.version = res[0][4].as<int64_t>();
    return head;
  });
  if (r.ok() && cacheable) heads_->Put(*r, generation);
  return r;
}

Result<ListPage> PgStore::List(const ListQuery& q) {
  std::optional<ListCursor> cursor;
  if (!q.cursor.empty()) {
    Result<ListCursor> parsed = DecodeListCursor(q.cursor);
    if (!parsed.ok()) return parsed.status();
    cursor = *parsed;
  }
  const int limit = ClampListLimit(q.limit);
  using R = Result<ListPage>;
  return WithReader<R>(*pool_, "list", [&](Conn& c, pqxx::transaction_base& t) -> R {
    const bool window = q.created_after_ms.has_value() || q.created_before_ms.has_value();
    const Sql& sql = ListSql(!q.tenant.empty(), !q.status.empty(), !q.type.empty(),
                             cursor.has_value(), window);
    pqxx::result r = Run(c, t, sql, q.tenant, q.status, q.type,
                         static_cast<int64_t>(cursor ? cursor->created_at_ms : 0),
                         cursor ? cursor->id : std::string(), limit + 1,
                         static_cast<int64_t>(q.created_after_ms.value_or(INT64_MIN)),
                         static_cast<int64_t>(q.created_before_ms.value_or(INT64_MAX)));
    ListPage page;
    for (const auto& row : r) page.instances.push_back(pg::ReadInstance(row));
    if (static_cast<int>(page.instances.size()) > limit) {
      page.instances.pop_back();
      page.next_cursor = EncodeListCursor(page.instances.back());
    }
    return page;
  });
}

Result<std::vector<HistoryEvent>> PgStore::History(const std::string& id, int64_t after_seq,
                                                   int limit) {
  using R = Result<std::vector<HistoryEvent>>;
  return WithReader<R>(*pool_, "history", [&](Conn& c, pqxx::transaction_base& t) -> R {
    pqxx::result r = limit <= 0 ? Run(c, t, kHistoryAll, id, after_seq)
                                : Run(c, t, kHistory, id, after_seq, limit);
    std::vector<HistoryEvent> out;
    for (const auto& row : r) out.push_back(pg::ReadEvent(row));
    return out;
  });
}

Result<std::vector<std::string>> PgStore::SerialQueue(const std::string& serial_key) {
  using R = Result<std::vector<std::string>>;
  return WithReader<R>(*pool_, "serial_queue", [&](Conn& c, pqxx::transaction_base& t) -> R {
    std::vector<std::string> out;
    for (const auto& row : Run(c, t, kSerialQueue, serial_key)) {
      out.push_back(row[0].as<std::string>());
    }
    return out;
  });
}

Result<Record> PgStore::GetRecord(const std::string& ns, const std::string& key) {
  using R = Result<Record>;
  return WithReader<R>(*pool_, "get_record", [&](Conn& c, pqxx::transaction_base& t) -> R {
    pqxx::result r = Run(c, t, kGetRecord, ns, key);
    if (r.empty()) return NotFound("no such record");
    return Record{ns, key, r[0][0].as<std::string>(), r[0][1].as<int64_t>()};
  });
}

Result<std::vector<Record>> PgStore::ListRecords(const std::string& ns,
                                                 const std::string& after_key, int limit) {
  using R = Result<std::vector<Record>>;
  if (limit < 1 || limit > kMaxRecordPage) {
    return InvalidArgument("limit", "must be 1 to " + std::to_string(kMaxRecordPage));
  }
  // The key column is COLLATE "C": bytewise, as SQLite orders it.
  static constexpr Sql kListRecords{
      "list_records",
      "SELECT key, value_json, version FROM records WHERE ns = $1 AND key > $2"
      " ORDER BY key LIMIT $3"};
  return WithReader<R>(*pool_, "list_records", [&](Conn& c, pqxx::transaction_base& t) -> R {
    std::vector<Record> out;
    for (const auto& row : Run(c, t, kListRecords, ns, after_key, limit)) {
      out.push_back(Record{ns, row[0].as<std::string>(), row[1].as<std::string>(),
                           row[2].as<int64_t>()});
    }
    return out;
  });
}

Result<StoreStats> PgStore::Stats() {
  using R = Result<StoreStats>;
  R counted = WithReader<R>(*pool_, "stats", [&](Conn& c, pqxx::transaction_base& t) -> R {
    pqxx::result r = Run(c, t, kStats);
    StoreStats st;
    st.instances = r[0][0].as<int64_t>();
    st.events = r[0][1].as<int64_t>();
    st.tasks = r[0][2].as<int64_t>();
    st.leased_tasks = r[0][3].as<int64_t>();
    return st;
  });
  if (counted.ok()) counted->commits = commits_.load(std::memory_order_relaxed);
  return counted;
}

Result<std::vector<TypeStatusCount>> PgStore::CountByTypeAndStatus() {
  using R = Result<std::vector<TypeStatusCount>>;
  return WithReader<R>(*pool_, "count_by_type_status",
                       [&](Conn& c, pqxx::transaction_base& t) -> R {
    std::vector<TypeStatusCount> out;
    for (const auto& row : Run(c, t, kCountByTypeStatus)) {
      out.push_back(
          {row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<int64_t>()});
    }
    return out;
  });
}

Result<std::vector<int>> PgStore::AppliedSchemaVersions() {
  using R = Result<std::vector<int>>;
  return WithReader<R>(*pool_, "schema_versions", [&](Conn&, pqxx::transaction_base& t) -> R {
    return pg::AppliedSchemaVersions(t);
  });
}

}  // namespace slipway::storage
