// storage/pg_conn.cc: connections, the pool, error conversion, row readers and array
// literals for PgStore. See pg_conn.h for ownership and thread-safety.
#include "storage/pg_conn.h"

namespace slipway::storage::pg {

void Conn::Prepare(const Sql& s) {
  if (prepared.count(s.name) != 0) return;
  raw.prepare(s.name, s.text);
  prepared.insert(s.name);
}

Pool::Pool(std::string dsn, int size, bool synchronous_commit)
    : dsn_(std::move(dsn)), synchronous_commit_(synchronous_commit), available_(size) {}

std::unique_ptr<Conn> Pool::Connect() {
  auto c = std::make_unique<Conn>(dsn_);
  if (!synchronous_commit_) {
    pqxx::nontransaction t(c->raw);
    t.exec0("SET synchronous_commit = off");
  }
  return c;
}

Pool::Lease Pool::Acquire() {
  std::unique_ptr<Conn> conn;
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return available_ > 0; });
    --available_;
    if (!free_.empty()) {
      conn = std::move(free_.back());
      free_.pop_back();
    }
  }
  if (!conn) {
    try {
      conn = Connect();
    } catch (...) {
      Return(nullptr);  // the slot stays available for the next try
      throw;
    }
  }
  return Lease(this, std::move(conn));
}

void Pool::Return(std::unique_ptr<Conn> conn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (conn && conn->raw.is_open()) free_.push_back(std::move(conn));
    ++available_;
  }
  cv_.notify_one();
}

namespace {

bool StartsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

Status FromSqlState(const std::string& state, std::string msg) {
  if (state == "23505") return Conflict(std::move(msg));
  // 08: connection; 40: rollback (serialisation, deadlock); 53: resources; 57P0x: shutdown,
  // crash recovery; 55P03: lock not available.
  if (StartsWith(state, "08") || StartsWith(state, "40") || StartsWith(state, "53") ||
      StartsWith(state, "57P") || state == "55P03") {
    return Unavailable(std::move(msg));
  }
  if (state == "XX001" || state == "XX002") return Corruption(std::move(msg));
  return Internal(std::move(msg));
}

}  // namespace

Status FromException(const std::exception& e, const char* what) {
  std::string msg = std::string("postgres ") + what + ": ";
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) {
    return Unavailable(msg + "connection lost");
  }
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) {
    return Unavailable(msg + "commit outcome unknown");
  }
  if (dynamic_cast<const pqxx::transaction_rollback*>(&e) != nullptr) {
    return Unavailable(msg + "transaction rolled back (deadlock or serialisation)");
  }
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    // The server's message may quote row values (a duplicate key's): only the SQLSTATE.
    return FromSqlState(sql->sqlstate(), msg + "SQLSTATE " + sql->sqlstate());
  }
  if (dynamic_cast<const pqxx::failure*>(&e) != nullptr) return Unavailable(msg + e.what());
  return Internal(msg + e.what());
}

Instance ReadInstance(const pqxx::row& r) {
  Instance i;
  i.id = r[0].as<std::string>();
  i.type = r[1].as<std::string>();
  i.tenant = r[2].as<std::string>();
  i.status = r[3].as<std::string>();
  i.state = r[4].as<std::string>();
  i.input_json = r[5].as<std::string>();
  i.input_hash = r[6].as<std::string>();
  i.context_json = r[7].as<std::string>();
  i.result_json = r[8].as<std::string>();
  i.error_json = r[9].as<std::string>();
  i.serial_key = r[10].as<std::string>();
  i.version = r[11].as<int64_t>();
  i.last_seq = r[12].as<int64_t>();
  i.last_hash = r[13].as<std::string>();
  i.created_at_ms = r[14].as<int64_t>();
  i.updated_at_ms = r[15].as<int64_t>();
  i.deadline_ms = r[16].as<int64_t>();
  i.type_version = r[17].as<int64_t>();
  return i;
}

HistoryEvent ReadEvent(const pqxx::row& r) {
  HistoryEvent e;
  e.workflow_id = r[0].as<std::string>();
  e.seq = r[1].as<int64_t>();
  e.at_ms = r[2].as<int64_t>();
  e.type = r[3].as<std::string>();
  e.step = r[4].as<std::string>();
  e.attempt = r[5].as<int>();
  e.actor = r[6].as<std::string>();
  e.data_json = r[7].as<std::string>();
  e.prev_hash = r[8].as<std::string>();
  e.hash = r[9].as<std::string>();
  return e;
}

Task ReadTask(const pqxx::row& r) {
  Task t;
  t.id = r[0].as<int64_t>();
  t.workflow_id = r[1].as<std::string>();
  t.kind = r[2].as<std::string>();
  t.step = r[3].as<std::string>();
  t.attempt = r[4].as<int>();
  t.due_at_ms = r[5].as<int64_t>();
  t.payload_json = r[6].as<std::string>();
  t.lease_owner = r[7].as<std::string>();
  t.lease_until_ms = r[8].as<int64_t>();
  t.lease_token = r[9].as<int64_t>();
  return t;
}

std::string BigintArray(const std::vector<int64_t>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(values[i]);
  }
  return out + "}";
}

// Every element double-quoted, with '"' and '\' escaped: the array input syntax then takes
// any text literally (commas, braces, "NULL").
std::string TextArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char ch : values[i]) {
      if (ch == '"' || ch == '\\') out += '\\';
      out += ch;
    }
    out += '"';
  }
  return out + "}";
}

void Notify(Conn& c, pqxx::transaction_base& t, const std::string& node_tag,
            const std::string& workflow_id) {
  static constexpr Sql kNotify{"notify", "SELECT pg_notify('slipway_changes', $1)"};
  Run(c, t, kNotify, workflow_id.empty() ? node_tag + " t" : node_tag + " w " + workflow_id);
}

}  // namespace slipway::storage::pg
