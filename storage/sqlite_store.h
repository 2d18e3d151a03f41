// storage/sqlite_store.h: SqliteStore, the SQLite implementation of Store (storage/store.h,
// whose contract is authoritative), on one database file.
//
// Owns one writer connection and a small pool of read connections to the file. Writes
// (Commit, CommitBatch, ClaimTasks, RenewLeases, ReleaseLeases, PutRecord) run as
// BEGIN IMMEDIATE transactions on the writer under a mutex; reads run on the pool and, thanks
// to WAL, never wait behind a write. Several SqliteStore objects, in one process or several,
// may open the same file: SQLite's busy timeout serialises their writers, and a write that
// still finds the database locked returns kUnavailable.
//
// Thread-safe. Every method may be called from any thread. No exception escapes: SQLite errors
// become BUSY/LOCKED -> kUnavailable, CORRUPT/NOTADB -> kCorruption, a constraint -> kConflict,
// anything else -> kInternal. Messages never contain row data.
//
// Failpoints (engine/base/failpoints.h) hit by Commit and CommitBatch:
//   store.commit.before  before BEGIN: nothing is written
//   store.commit.mid     after the instance row, before the events (per checkpoint): the
//                        checkpoint rolls back whole
//   store.commit.after   after COMMIT: the error is returned although the data IS committed
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/base/failpoints.h"
#include "engine/base/status.h"
#include "storage/store.h"

namespace slipway::storage {

namespace sqlite {
class Conn;
class ReadPool;
class WalCheckpointer;
class HeadCache;
}  // namespace sqlite

struct SqliteOptions {
  std::string path;              // database file; created if missing
  bool synchronous_full = true;  // PRAGMA synchronous=FULL (else NORMAL: may lose the last
                                 // commits on power loss, never corrupts)
  int busy_timeout_ms = 5000;    // how long a write waits for another writer
  int read_connections = 4;      // size of the read pool (at least 1)
  // The WAL is copied back into the database file by a background thread once it holds this
  // many pages (sqlite_wal_checkpointer.h); 0 = SQLite's own auto-checkpoint, which runs
  // inside the commit that crosses 1000 pages.
  int wal_checkpoint_pages = 1000;
  // The WAL is written as zeros up to this size at open (sqlite_wal_prefill.cc): a commit
  // that overwrites blocks the file has fsyncs in about half the time of one that grows it.
  // 0 = off. The default holds the pages the checkpointer lets pile up, and some more.
  int64_t wal_prefill_bytes = 6 << 20;
  // LoadHead answers from memory for instances it read lately and nobody changed since
  // (sqlite_head_cache.h): at most this many; 0 = always read. Commits of other processes on
  // the same file show within foreign_check_ms (this process's own at once).
  int head_cache_entries = 100'000;
  int foreign_check_ms = 100;
};

class SqliteStore final : public Store {
 public:
  // Opens (creating if needed) the file, switches it to WAL and runs pending migrations.
  // Errors: kCorruption (not a database), kFailedPrecondition (schema newer than this build),
  // kUnavailable (locked), kInvalidArgument (empty path), kInternal. `failpoints` must outlive
  // the store.
  static Result<std::unique_ptr<SqliteStore>> Open(const SqliteOptions& options,
                                                   Failpoints& failpoints);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

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

  // The newest schema version this build knows, and the migrations applied to the open file
  // (ascending). For tests and for `slipctl` diagnostics.
  static int LatestSchemaVersion();
  Result<std::vector<int>> AppliedSchemaVersions();

 private:
  SqliteStore(Failpoints& failpoints, std::unique_ptr<sqlite::WalCheckpointer> checkpointer,
              std::unique_ptr<sqlite::Conn> writer, std::unique_ptr<sqlite::ReadPool> readers,
              const SqliteOptions& options);

  // Under write_mu_: notes whether another connection committed since the writer last
  // looked (PRAGMA data_version), and if so empties the head cache.
  void CheckForeignCommits(sqlite::Conn& c);
  // True when the head cache may answer: the writer looked for foreign commits within
  // foreign_check_ms, or looks now (if it is free).
  bool HeadCacheIsCurrent();

  // Runs body inside BEGIN IMMEDIATE ... COMMIT on the writer, under write_mu_. A non-ok
  // Status from body (or any SQLite error) rolls back and is returned. Counts the
  // transaction in Stats().commits when it committed and changed at least one row.
  //
  // kLease transactions (claims, lease renewals and releases, stale-task deletes) commit
  // without their own fsync even under synchronous=FULL: losing one to a power cut only makes
  // a task claimable again, and WAL frames are synced in order, so the next durable commit
  // (e.g. the step_started checkpoint of a claimed task) makes them durable before any
  // effect depends on them. Checkpoints and records are always kDurable.
  enum class Durability { kDurable, kLease };
  Status WriteTxn(const char* what, const std::function<Status(sqlite::Conn&)>& body,
                  Durability durability = Durability::kDurable);
  Status ApplyBatchWithoutSavepoints(sqlite::Conn& c, const std::vector<Checkpoint>& cps,
                                     std::vector<Status>& out, size_t* partial);
  // Applies one checkpoint of a batch; an SQLite error that left the transaction open
  // becomes its Status, one that ended it is rethrown (the whole batch fails).
  Status ApplyInBatch(sqlite::Conn& c, const Checkpoint& cp);
  Status CommitInSavepoint(sqlite::Conn& c, const Checkpoint& cp);

  Failpoints& failpoints_;
  // Declared before writer_, whose WAL hook points at it: destroyed after the writer.
  std::unique_ptr<sqlite::WalCheckpointer> checkpointer_;
  // Null when head_cache_entries is 0. Declared before writer_, whose update hook points at
  // it: destroyed after the writer.
  std::unique_ptr<sqlite::HeadCache> heads_;
  std::mutex write_mu_;
  std::unique_ptr<sqlite::Conn> writer_;  // guarded by write_mu_
  // RescheduleTask combines (sqlite_tasks.cc): callers queue their reschedule; one of them at
  // a time writes every queued one in a single transaction, the others wait for their result.
  // 10,000 waiting deployments make ~1,000 quiet looks a second; one transaction each was 36 %
  // of the engine's CPU.
  struct PendingReschedule;
  std::mutex reschedule_mu_;
  std::condition_variable reschedule_done_;
  std::vector<PendingReschedule*> reschedules_;  // guarded by reschedule_mu_
  bool rescheduling_ = false;                    // guarded by reschedule_mu_
  Status WriteBatchOfReschedules(const std::vector<PendingReschedule*>& batch);
  std::unique_ptr<sqlite::ReadPool> readers_;
  std::atomic<int64_t> commits_{0};
  bool synchronous_full_ = true;
  int64_t writer_data_version_ = -1;            // guarded by write_mu_
  std::atomic<int64_t> foreign_checked_ns_{0};  // steady clock of the writer's last look
  int64_t foreign_check_ns_ = 0;
};

}  // namespace slipway::storage
