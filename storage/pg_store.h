// storage/pg_store.h: PgStore, the PostgreSQL implementation of Store (storage/store.h, whose
// contract is authoritative), for several engine nodes on one database.
//
// Owns a small pool of connections (pg_conn.h) and one listening connection (pg_listener.h).
// Every method runs in its own transaction on a pooled connection; PostgreSQL's row locks do
// what SqliteStore's single writer does:
//   - a checkpoint compares-and-sets the instance row (version), so two nodes committing the
//     same workflow serialise on that row and the loser gets kConflict;
//   - claims pick rows with FOR UPDATE SKIP LOCKED, so two nodes never lease one task; a
//     per-kind capacity is counted under a transaction-scoped advisory lock on the kind, so the
//     cap holds across nodes;
//   - an enqueue takes a transaction-scoped advisory lock on its serial key, so queue order
//     (seq) is commit order on every node;
//   - leases carry a fencing token (Task::lease_token, bumped by every claim of the row).
// Schema migrations run on Open under a session advisory lock: nodes opening at once apply
// each migration once.
//
// Cross-node changes: every checkpoint sends NOTIFY on channel "slipway_changes" (delivered at
// commit); the listener evicts the workflow's head from this node's head cache and calls the
// change listener (Store::SetChangeListener), so the engine's dispatcher and long polls wake
// within milliseconds of another node's commit. While the listening connection is down the
// head cache is bypassed.
//
// Thread-safe. No exception escapes: a lost connection, a deadlock or a serialisation failure
// -> kUnavailable, a unique violation -> kConflict, data corruption -> kCorruption, anything
// else -> kInternal. Messages name the operation and the SQLSTATE, never row data.
//
// Failpoints: store.commit.before / store.commit.mid / store.commit.after, as SqliteStore.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/base/failpoints.h"
#include "engine/base/status.h"
#include "storage/store.h"

namespace slipway::storage {

namespace pg {
class Pool;
class Listener;
class HeadCache;
struct Txn;
enum class Change;
}  // namespace pg

struct PgOptions {
  // A libpq connection string or URI, e.g. "postgresql://slipway@/slipway?host=/run/pg".
  std::string dsn;
  int connections = 8;              // pooled connections (at least 1)
  bool synchronous_commit = true;   // off: may lose the last commits on a crash, never corrupts
  int head_cache_entries = 100'000; // LoadHead's cache; 0 = always read
  bool listen = true;               // LISTEN for other nodes' commits (head cache, wake-ups)
  // Migrate up to this schema version (0 = the latest). Tests use it to build an old schema.
  int schema_version = 0;
};

class PgStore final : public Store {
 public:
  // Connects, runs pending migrations and starts listening. Errors: kInvalidArgument (empty
  // dsn), kUnavailable (cannot connect), kFailedPrecondition (schema newer than this build),
  // kInternal. `failpoints` must outlive the store.
  static Result<std::unique_ptr<PgStore>> Open(const PgOptions& options, Failpoints& failpoints);
  ~PgStore() override;
  PgStore(const PgStore&) = delete;
  PgStore& operator=(const PgStore&) = delete;

  Status Commit(const Checkpoint& cp) override;
  std::vector<Status> CommitBatch(const std::vector<Checkpoint>& cps) override;
  Result<Instance> Load(const std::string& id) override;
  Result<Instance> LoadHead(const std::string& id) override;
  Result<ListPage> List(const ListQuery& q) override;
  Result<std::vector<HistoryEvent>> History(const std::string& id, int64_t after_seq,
                                            int limit) override;
  Result<std::vector<Task>> ClaimTasks(const ClaimRequest& req) override;
  Result<std::vector<int64_t>> RenewLeases(const std::string& owner,
                                           const std::vector<int64_t>& ids,
                                           TimeMs lease_until_ms) override;
  Status ReleaseLeases(const std::string& owner, const std::vector<int64_t>& ids) override;
  Status RescheduleTask(const Task& held, TimeMs due_at_ms,
                        const std::string& payload_json) override;
  Result<std::optional<TimeMs>> NextWakeUp() override;
  Result<int64_t> CountClaimableTasks(TimeMs now) override;
  Result<std::vector<Task>> TasksOf(const std::string& workflow_id) override;
  Status DeleteTask(int64_t id, const std::string& lease_owner) override;
  Result<std::vector<std::string>> SerialQueue(const std::string& serial_key) override;
  Result<Record> GetRecord(const std::string& ns, const std::string& key) override;
  Result<std::vector<Record>> ListRecords(const std::string& ns, const std::string& after_key,
                                          int limit) override;
  Status PutRecord(const Record& r, int64_t expected_version) override;
  Result<StoreStats> Stats() override;
  Result<std::vector<TypeStatusCount>> CountByTypeAndStatus() override;
  void SetChangeListener(std::function<void()> listener) override;

  static int LatestSchemaVersion();
  Result<std::vector<int>> AppliedSchemaVersions();

 private:
  PgStore(Failpoints& failpoints, std::unique_ptr<pg::Pool> pool, const PgOptions& options);

  // Runs body in a read-write transaction on a pooled connection, commits when it returns
  // ok, and sends the change notices it queued (pg::Txn) with the commit. Counts the
  // transaction in Stats().commits when it wrote. `durable` false: the commit does not wait
  // for its WAL flush (claims and leases: losing one only makes a task claimable again, and
  // the next durable commit flushes it first).
  Status WriteTxn(const char* what, const std::function<Status(pg::Txn&)>& body,
                  bool durable = true);
  // From the listener's thread: another node changed something.
  void ForeignChange(pg::Change change, const std::string& id);

  Failpoints& failpoints_;
  std::unique_ptr<pg::Pool> pool_;
  std::unique_ptr<pg::HeadCache> heads_;  // null when head_cache_entries is 0
  std::string node_tag_;                  // marks this store's own notices
  std::atomic<int64_t> commits_{0};
  bool synchronous_commit_ = true;
  std::mutex listener_mu_;
  std::function<void()> listener_;        // guarded by listener_mu_
  std::unique_ptr<pg::Listener> listening_;  // last member: stopped first
};

}  // namespace slipway::storage
