// storage/pg_store.cc: PgStore's opening, write transactions, commits, records and change
// notices. Reads are in pg_reads.cc, task claims and leases in pg_tasks.cc.
#include "storage/pg_store.h"

#include <random>

#include "storage/pg_conn.h"
#include "storage/pg_head_cache.h"
#include "storage/pg_listener.h"

namespace slipway::storage {

namespace {

std::string RandomTag() {
  std::random_device rd;
  std::uniform_int_distribution<uint64_t> dist;
  static const char kHex[] = "0123456789abcdef";
  uint64_t v = dist(rd);
  std::string out(16, '0');
  for (char& ch : out) {
    ch = kHex[v & 0xf];
    v >>= 4;
  }
  return out;
}

}  // namespace

PgStore::PgStore(Failpoints& failpoints, std::unique_ptr<pg::Pool> pool, const PgOptions& o)
    : failpoints_(failpoints),
      pool_(std::move(pool)),
      node_tag_(RandomTag()),
      synchronous_commit_(o.synchronous_commit) {
  if (o.head_cache_entries > 0) {
    heads_ = std::make_unique<pg::HeadCache>(static_cast<size_t>(o.head_cache_entries));
  }
  if (o.listen) {
    listening_ = std::make_unique<pg::Listener>(
        o.dsn, node_tag_,
        [this](pg::Change change, const std::string& id) { ForeignChange(change, id); });
    listening_->WaitStarted();
  }
}

PgStore::~PgStore() { listening_.reset(); }

Result<std::unique_ptr<PgStore>> PgStore::Open(const PgOptions& o, Failpoints& failpoints) {
  if (o.dsn.empty()) return InvalidArgument("dsn", "must not be empty");
  if (o.connections < 1) return InvalidArgument("connections", "must be >= 1");
  if (o.head_cache_entries < 0) return InvalidArgument("head_cache_entries", "must be >= 0");
  if (o.schema_version < 0 || o.schema_version > LatestSchemaVersion()) {
    return InvalidArgument("schema_version", "unknown schema version");
  }
  SLIPWAY_RETURN_IF_ERROR(pg::Guarded<Status>("open", [&]() -> Status {
    pqxx::connection c(o.dsn);
    return pg::Migrate(c, o.schema_version);
  }));
  auto pool = std::make_unique<pg::Pool>(o.dsn, o.connections, o.synchronous_commit);
  return std::unique_ptr<PgStore>(new PgStore(failpoints, std::move(pool), o));
}

int PgStore::LatestSchemaVersion() { return pg::LatestSchemaVersion(); }

Status PgStore::WriteTxn(const char* what, const std::function<Status(pg::Txn&)>& body,
                         bool durable) {
  std::vector<std::string> changed;
  Status st = pg::Guarded<Status>(what, [&]() -> Status {
    pg::Pool::Lease lease = pool_->Acquire();
    pqxx::work w(lease.conn().raw);
    if (!durable && synchronous_commit_) w.exec0("SET LOCAL synchronous_commit = off");
    pg::Txn txn{lease.conn(), w, changed};
    Status result = body(txn);
    if (!result.ok()) {
      w.abort();
      return result;
    }
    for (const std::string& id : txn.changed) pg::Notify(txn.c, w, node_tag_, id);
    if (txn.tasks_freed) pg::Notify(txn.c, w, node_tag_, "");
    w.commit();
    if (txn.wrote) commits_.fetch_add(1, std::memory_order_relaxed);
    return Status::Ok();
  });
  // Committed, rolled back or in doubt: the heads of these rows are read again.
  if (heads_) {
    for (const std::string& id : changed) heads_->Forget(id);
  }
  return st;
}

void PgStore::ForeignChange(pg::Change change, const std::string& id) {
  if (heads_ && change == pg::Change::kWorkflow) heads_->Forget(id);
  if (heads_ && change == pg::Change::kUnknown) heads_->ForgetAll();
  std::lock_guard<std::mutex> lock(listener_mu_);
  if (listener_) listener_();
}

void PgStore::SetChangeListener(std::function<void()> listener) {
  std::lock_guard<std::mutex> lock(listener_mu_);
  listener_ = std::move(listener);
}

Status PgStore::Commit(const Checkpoint& cp) {
  SLIPWAY_RETURN_IF_ERROR(failpoints_.Hit("store.commit.before"));
  SLIPWAY_RETURN_IF_ERROR(WriteTxn("commit", [&](pg::Txn& x) -> Status {
    x.changed.push_back(cp.instance.id);
    Status st = pg::CheckpointWriter(x.c, x.t).Apply(cp, failpoints_);
    x.wrote = st.ok();
    return st;
  }));
  // The ambiguous case: committed, yet the caller hears an error.
  return failpoints_.Hit("store.commit.after");
}

namespace {

// One checkpoint of a batch in its own savepoint: a rejected or failing checkpoint leaves
// nothing behind and the others go on. Errors that end the whole transaction (a lost
// connection, a commit in doubt) are rethrown: then the batch fails. (Plain SAVEPOINT
// statements: libpqxx 6's subtransaction kept the rows of an aborted checkpoint here.)
Status ApplyInSavepoint(pg::Txn& x, const Checkpoint& cp, Failpoints& failpoints) {
  x.t.exec0("SAVEPOINT checkpoint");
  Status st;
  try {
    st = pg::CheckpointWriter(x.c, x.t).Apply(cp, failpoints);
  } catch (const pqxx::broken_connection&) {
    throw;
  } catch (const pqxx::in_doubt_error&) {
    throw;
  } catch (const std::exception& e) {
    st = pg::FromException(e, "commit_batch");
  }
  if (!st.ok()) x.t.exec0("ROLLBACK TO SAVEPOINT checkpoint");
  x.t.exec0("RELEASE SAVEPOINT checkpoint");
  return st;
}

}  // namespace

std::vector<Status> PgStore::CommitBatch(const std::vector<Checkpoint>& cps) {
  std::vector<Status> out(cps.size());
  if (cps.empty()) return out;
  Status whole = failpoints_.Hit("store.commit.before");
  if (whole.ok()) {
    whole = WriteTxn("commit_batch", [&](pg::Txn& x) -> Status {
      for (size_t i = 0; i < cps.size(); ++i) {
        x.changed.push_back(cps[i].instance.id);
        out[i] = ApplyInSavepoint(x, cps[i], failpoints_);
        x.wrote = x.wrote || out[i].ok();
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

Status PgStore::PutRecord(const Record& r, int64_t expected_version) {
  if (expected_version < 0) return InvalidArgument("expected_version", "must be >= 0");
  static constexpr pg::Sql kInsert{
      "insert_record",
      "INSERT INTO records (ns, key, value_json, version) VALUES ($1, $2, $3, 1)"
      " ON CONFLICT (ns, key) DO NOTHING"};
  static constexpr pg::Sql kUpdate{
      "update_record",
      "UPDATE records SET value_json = $1, version = version + 1"
      " WHERE ns = $2 AND key = $3 AND version = $4"};
  return WriteTxn("put_record", [&](pg::Txn& x) -> Status {
    pqxx::result res = expected_version == 0
                           ? pg::Run(x.c, x.t, kInsert, r.ns, r.key, r.value_json)
                           : pg::Run(x.c, x.t, kUpdate, r.value_json, r.ns, r.key,
                                     expected_version);
    if (res.affected_rows() == 0) return Conflict("record version moved");
    x.wrote = true;
    return Status::Ok();
  });
}

}  // namespace slipway::storage
