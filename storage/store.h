// storage/store.h: the durable home of workflows, their history, tasks (with leases) and
// durable timers, plus small key/value records (tenants). Plain records in, plain records out.
//
// Thread-safe: every method may be called from any thread, and several processes may open the
// same database. Work is claimed with leases, never with in-memory locks, so that a second
// engine process (or a PostgreSQL store later) cannot run the same task twice.
//
// The store keeps no workflow logic: the engine decides states, events and hashes; the store
// makes each Checkpoint atomic and enforces versions, sequence numbers and lease ownership.
// Times are milliseconds since the Unix epoch (engine/base/clock.h). JSON fields hold JSON text.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/clock.h"
#include "engine/base/status.h"

namespace slipway::storage {

// One workflow instance. Persisted names (status, state, step) are stable strings.
struct Instance {
  std::string id;
  std::string type;             // workflow type, e.g. "deployment"
  // Version of the type's table the instance started on (WorkflowType::version); fixed at
  // creation like the type: the instance runs on that table until it ends.
  int64_t type_version = 1;
  std::string tenant;
  std::string status;           // queued|running|waiting|completed|failed|cancelling|cancelled
  std::string state;            // current state of the workflow's state machine
  std::string input_json = "{}";
  std::string input_hash;       // SHA-256 of the canonical start request: idempotent start
  std::string context_json = "{}";  // engine-owned: step views, step outputs, counters
  std::string result_json;      // set when completed ("" = none)
  std::string error_json;       // set when failed ("" = none)
  std::string serial_key;       // "" = not serialised; else at most one active per key, FIFO
  int64_t version = 0;          // bumped by exactly 1 by every checkpoint
  int64_t last_seq = 0;         // seq of the newest history event
  std::string last_hash;        // hash of the newest history event
  TimeMs created_at_ms = 0;
  TimeMs updated_at_ms = 0;
  TimeMs deadline_ms = 0;       // 0 = none
};

// One append-only history event. seq starts at 1 and has no gaps per workflow.
struct HistoryEvent {
  std::string workflow_id;
  int64_t seq = 0;
  TimeMs at_ms = 0;
  std::string type;             // e.g. "workflow_started", "step_started", "step_failed"
  std::string step;             // "" when not about a step
  int attempt = 0;              // 0 when not about an attempt
  std::string actor;            // "engine", "ops:<name>", "tenant:<id>", ...
  std::string data_json = "{}";
  std::string prev_hash;
  std::string hash;
};

// A unit of work: run an activity attempt, fire a timer, admit a queued workflow. A task whose
// due time is in the future is a durable timer. A claimed task has a lease owner and expiry; a
// task whose lease expired may be claimed again (its owner is presumed dead).
struct Task {
  int64_t id = 0;               // assigned by the store
  std::string workflow_id;
  std::string kind;             // "activity:<name>", "timer", "admit"; limits apply per kind
  std::string step;
  int attempt = 0;
  TimeMs due_at_ms = 0;
  std::string payload_json = "{}";
  std::string lease_owner;      // "" = not claimed
  TimeMs lease_until_ms = 0;
  // Fencing token: set by ClaimTasks, bumped whenever the task's lease changes hands (a
  // claim by the owner that already holds it, live or expired, keeps it: that process's
  // scheduler treats it as a renewal of the run it still has). A checkpoint that names it
  // (Checkpoint::lease_token) commits only while the row still holds it, so a worker whose
  // lease was taken over cannot commit, even if its owner claimed the task back since.
  int64_t lease_token = 0;
};

// Everything one workflow transition writes, committed together or not at all.
struct Checkpoint {
  // The new row; instance.version must be expected_version + 1. On an update, the fields fixed
  // at creation (type, tenant, input, input_hash, serial_key, created_at) are not written.
  Instance instance;
  int64_t expected_version = 0; // 0: the instance must not exist yet (create)
  std::vector<HistoryEvent> events;  // appended; seqs must continue the stored history exactly
  std::vector<Task> new_tasks;       // id is ignored and assigned
  // Tasks finished by this transition: deleted iff still leased by `lease_owner`
  // (an empty owner deletes unleased or any-owner tasks: used by ops verbs and admission).
  std::vector<int64_t> done_task_ids;
  std::string lease_owner;
  // 0 = not fenced (lease_owner alone is checked). Else every done and continued task must
  // also still hold this fencing token (Task::lease_token of the claim), else kConflict.
  int64_t lease_token = 0;
  // Tasks finished by this transition that go straight on with the workflow's next piece of
  // work: each row (by id, still leased by `lease_owner`, else kConflict) is rewritten to the
  // given kind, step, attempt, due time and payload and keeps its lease, extended to
  // lease_until_ms. The worker that holds it carries on without claiming anything.
  std::vector<Task> continued_tasks;
  // The task whose lease this transition is made under (a step runner's claimed task), 0 =
  // none. It must still be leased by `lease_owner` (and hold lease_token, if set) when the
  // checkpoint commits, else kConflict, whether the transition finishes it, continues it or
  // neither (an attempt's start): a node whose lease was taken over must not start, record or
  // lose an attempt that the new holder runs. The row stays locked until the commit ends.
  int64_t held_task_id = 0;
  bool cancel_other_tasks = false;   // delete every other task of this workflow (cancel/finish)
  // Serial queue membership of this instance under instance.serial_key.
  enum class Serial { kNone, kEnqueue, kDequeue } serial = Serial::kNone;
};

struct ListQuery {
  std::string tenant;           // "" = any
  std::string status;           // "" = any
  std::string type;             // "" = any
  // Created in [created_after_ms, created_before_ms): the lower bound inclusive, the upper
  // exclusive, so adjacent windows neither overlap nor leave a gap. nullopt = unbounded.
  std::optional<TimeMs> created_after_ms;
  std::optional<TimeMs> created_before_ms;
  int limit = 50;
  std::string cursor;           // opaque, from ListPage::next_cursor; "" = first page
};

struct ListPage {
  std::vector<Instance> instances;  // newest first
  std::string next_cursor;          // "" = no more
};

struct ClaimRequest {
  std::string owner;            // lease owner, unique per engine process
  TimeMs now_ms = 0;
  TimeMs lease_until_ms = 0;
  int limit = 1;                // at most this many tasks
  // Per-kind capacity across every process on this store: a kind listed here is claimed only
  // while fewer than `capacity` tasks of that kind hold a live lease. Unlisted: unlimited.
  std::map<std::string, int> kind_capacity;
};

struct Record {
  std::string ns;
  std::string key;
  std::string value_json;
  int64_t version = 0;
};

struct StoreStats {
  int64_t instances = 0;
  int64_t events = 0;           // history events (the sum of the instances' last_seq)
  int64_t tasks = 0;
  int64_t leased_tasks = 0;     // tasks with a lease owner (live or expired)
  int64_t commits = 0;          // write transactions since open (this process)
};

// How many instances of one type are in one status (metrics).
struct TypeStatusCount {
  std::string type;
  std::string status;
  int64_t count = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Commits one checkpoint atomically. Errors: kAlreadyExists (create of an existing id),
  // kConflict (version moved, history seq taken, or a done task no longer leased by us),
  // kUnavailable (database busy), kInternal.
  virtual Status Commit(const Checkpoint& cp) = 0;
  // Group commit: one transaction, each checkpoint applied all-or-nothing on its own; returns
  // one Status per checkpoint, in order. A failing checkpoint does not affect the others.
  virtual std::vector<Status> CommitBatch(const std::vector<Checkpoint>& cps) = 0;

  virtual Result<Instance> Load(const std::string& id) = 0;
  // The small fields only (id, type, tenant, status, serial_key, version; the others empty):
  // enough to authorise a read and to tell whether a cached rendering is still current,
  // without reading the context and input (which may be large). May answer from memory: it
  // shows this store's own commits at once and other processes' within a bound the
  // implementation documents (SqliteStore: foreign_check_ms). Default: Load.
  virtual Result<Instance> LoadHead(const std::string& id) { return Load(id); }
  // Instances matching every filter of `q`, newest first by (created_at_ms, id); the cursor
  // continues after the last instance of the page it came from, under the same filters.
  // Errors: kInvalidArgument (field "cursor") for a malformed cursor, kUnavailable.
  virtual Result<ListPage> List(const ListQuery& q) = 0;
  // Events with seq > after_seq, oldest first, at most `limit` (limit <= 0: all).
  virtual Result<std::vector<HistoryEvent>> History(const std::string& id, int64_t after_seq,
                                                    int limit) = 0;

  // Claims due tasks (due_at <= now, not leased or lease expired), earliest due first.
  virtual Result<std::vector<Task>> ClaimTasks(const ClaimRequest& req) = 0;
  // Extends leases still held by `owner`; returns the ids it could not extend (lost).
  virtual Result<std::vector<int64_t>> RenewLeases(const std::string& owner,
                                                   const std::vector<int64_t>& ids,
                                                   TimeMs lease_until_ms) = 0;
  // Drops `owner`'s lease on these tasks so that they may run at once elsewhere (shutdown).
  virtual Status ReleaseLeases(const std::string& owner, const std::vector<int64_t>& ids) = 0;
  // A look of a waiting attempt that saw nothing new (engine/looks.cc): task `held.id`, if
  // still leased by held.lease_owner with held.lease_token (else kConflict), falls due again
  // at due_at_ms with `payload_json`, its lease released. Nothing else changes. It may commit
  // without an fsync: a look lost in a crash is looked again.
  virtual Status RescheduleTask(const Task& held, TimeMs due_at_ms,
                                const std::string& payload_json) = 0;
  // Earliest time at which some task becomes claimable (due, or its lease expires); nullopt
  // when there are no tasks.
  virtual Result<std::optional<TimeMs>> NextWakeUp() = 0;
  // How many tasks a worker could claim at `now` (due and unleased, or their lease expired):
  // work waiting for a worker, for metrics.
  virtual Result<int64_t> CountClaimableTasks(TimeMs now) = 0;
  virtual Result<std::vector<Task>> TasksOf(const std::string& workflow_id) = 0;
  // Deletes a task that turned out to have nothing to do (stale timer, admission with nobody
  // to admit): iff still leased by `lease_owner` (empty owner: unconditionally). Deleting a
  // task that is gone is ok; one leased by someone else is kConflict.
  virtual Status DeleteTask(int64_t id, const std::string& lease_owner) = 0;

  // Ids queued under `serial_key`, in FIFO order (the first is the head).
  virtual Result<std::vector<std::string>> SerialQueue(const std::string& serial_key) = 0;

  virtual Result<Record> GetRecord(const std::string& ns, const std::string& key) = 0;
  // Records of namespace `ns` with a key after `after_key` (bytewise; "" = from the first), in
  // key order, at most `limit` (1 to kMaxRecordPage): to page through a namespace, pass the
  // last key of the page before. kInvalidArgument (field "limit") outside that range.
  virtual Result<std::vector<Record>> ListRecords(const std::string& ns,
                                                  const std::string& after_key, int limit) = 0;
  static constexpr int kMaxRecordPage = 1000;
  // Writes iff the stored version equals expected_version (0 = must not exist). kConflict else.
  virtual Status PutRecord(const Record& r, int64_t expected_version) = 0;

  virtual Result<StoreStats> Stats() = 0;
  // Instances per (type, status), ordered by type then status; absent pairs have no entry.
  // For metrics: it scans the instances, so call it at scrape rates, not per request.
  virtual Result<std::vector<TypeStatusCount>> CountByTypeAndStatus() = 0;

  // Cross-process change notices. `listener` (empty = none) is called from a thread of the
  // store's, holding none of its locks, soon after another process (or another Store object)
  // commits a checkpoint or releases leases on this database; the engine then wakes its
  // dispatcher and its long polls. This store's own commits are not reported. A store that
  // cannot tell (SqliteStore) never calls it, and callers keep polling. The listener must not
  // call SetChangeListener; it is not called after SetChangeListener({}) returns.
  virtual void SetChangeListener(std::function<void()> listener) { (void)listener; }
};

// Calls `fn` with every record of namespace `ns`, in key order, a page (ListRecords) at a
// time; stops at the first error, of the store or of fn.
inline Status ForEachRecord(Store& store, const std::string& ns,
                            const std::function<Status(const Record&)>& fn) {
  std::string after;
  for (;;) {
    Result<std::vector<Record>> page = store.ListRecords(ns, after, Store::kMaxRecordPage);
    if (!page.ok()) return page.status();
    for (const Record& r : *page) SLIPWAY_RETURN_IF_ERROR(fn(r));
    if (page->size() < static_cast<size_t>(Store::kMaxRecordPage)) return Status::Ok();
    after = page->back().key;
  }
}

}  // namespace slipway::storage
