// storage/pg_tasks.cc: PgStore's task verbs: claims with leases, fencing tokens and per-kind
// capacity, lease renewal and release, task deletion, the next wake-up time and a workflow's
// tasks.
//
// A claim locks the rows it picks (FOR UPDATE SKIP LOCKED), so nodes claiming at once take
// disjoint tasks without waiting for each other. A capped kind is counted under a
// transaction-scoped advisory lock on that kind: two nodes cannot both see the last free slot.
#include <algorithm>
#include <map>

#include "storage/pg_conn.h"
#include "storage/pg_store.h"

namespace slipway::storage {

using pg::Run;
using pg::Sql;

namespace {

constexpr Sql kLockKind{"lock_kind", "SELECT pg_advisory_xact_lock($1, hashtext($2))"};
constexpr Sql kLiveLeases{
    "live_leases",
    "SELECT COUNT(*) FROM tasks WHERE kind = $1 AND lease_owner <> '' AND lease_until_ms > $2"};
constexpr Sql kPick{
    "pick_tasks",
    "SELECT id, kind FROM tasks WHERE due_at_ms <= $1"
    " AND (lease_owner = '' OR lease_until_ms <= $1)"
    " AND NOT (kind = ANY ($2::text[])) AND NOT (id = ANY ($3::bigint[]))"
    " ORDER BY due_at_ms, id LIMIT $4 FOR UPDATE SKIP LOCKED"};
constexpr Sql kLease{
    "lease_tasks",
    "UPDATE tasks SET lease_owner = $1, lease_until_ms = $2,"
    " lease_token = CASE WHEN lease_owner = $1 THEN lease_token ELSE lease_token + 1 END"
    " WHERE id = ANY ($3::bigint[]) RETURNING " SLIPWAY_PG_TASK_COLUMNS};

// Picks claimable task ids in (due_at, id) order, honouring capacities. Rows of a kind that
// fills up on the way are locked but not taken; a next round then looks past them.
std::vector<int64_t> Pick(pg::Txn& x, const ClaimRequest& req) {
  std::map<std::string, int64_t> room;  // capped kind -> free slots
  for (const auto& [kind, capacity] : req.kind_capacity) {
    Run(x.c, x.t, kLockKind, pg::kLockKindCapacity, kind);
    const int64_t live = Run(x.c, x.t, kLiveLeases, kind, req.now_ms)[0][0].as<int64_t>();
    room[kind] = capacity - live;
  }
  std::vector<int64_t> picked;
  std::vector<int64_t> passed;  // locked in an earlier round, not taken
  for (size_t round = 0; round <= room.size(); ++round) {
    std::vector<std::string> full;
    for (const auto& [kind, free] : room) {
      if (free <= 0) full.push_back(kind);
    }
    std::vector<int64_t> seen = picked;
    seen.insert(seen.end(), passed.begin(), passed.end());
    const int want = req.limit - static_cast<int>(picked.size());
    pqxx::result r = Run(x.c, x.t, kPick, req.now_ms, pg::TextArray(full),
                         pg::BigintArray(seen), want);
    bool skipped = false;
    for (const auto& row : r) {
      const int64_t id = row[0].as<int64_t>();
      auto cap = room.find(row[1].as<std::string>());
      if (cap != room.end() && cap->second <= 0) {
        passed.push_back(id);
        skipped = true;
        continue;
      }
      if (cap != room.end()) --cap->second;
      picked.push_back(id);
    }
    if (!skipped || static_cast<int>(picked.size()) >= req.limit) break;
  }
  return picked;
}

}  // namespace

Result<std::vector<Task>> PgStore::ClaimTasks(const ClaimRequest& req) {
  if (req.owner.empty()) return InvalidArgument("owner", "must not be empty");
  if (req.lease_until_ms <= req.now_ms) {
    return InvalidArgument("lease_until_ms", "must be later than now_ms");
  }
  std::vector<Task> claimed;
  if (req.limit <= 0) return claimed;
  Status st = WriteTxn("claim_tasks", [&](pg::Txn& x) -> Status {
    claimed.clear();
    std::vector<int64_t> ids = Pick(x, req);
    if (ids.empty()) return Status::Ok();
    for (const auto& row :
         Run(x.c, x.t, kLease, req.owner, req.lease_until_ms, pg::BigintArray(ids))) {
      claimed.push_back(pg::ReadTask(row));
    }
    std::sort(claimed.begin(), claimed.end(), [](const Task& a, const Task& b) {
      return a.due_at_ms != b.due_at_ms ? a.due_at_ms < b.due_at_ms : a.id < b.id;
    });
    x.wrote = true;
    return Status::Ok();
  }, /*durable=*/false);
  if (!st.ok()) return st;
  return claimed;
}

Result<std::vector<int64_t>> PgStore::RenewLeases(const std::string& owner,
                                                  const std::vector<int64_t>& ids,
                                                  TimeMs lease_until_ms) {
  if (owner.empty()) return InvalidArgument("owner", "must not be empty");
  std::vector<int64_t> lost;
  if (ids.empty()) return lost;
  // Rows locked by a transaction in flight (mostly this node's own checkpoint completing the
  // task) are skipped, not waited for: a renewal that waited took its row locks in another
  // order than a batch of checkpoints and deadlocked with it (bench-engine --db, 3 nodes:
  // the checkpoint was the victim about once per 400 workflows, and its task then waited for
  // its lease to expire, 30 s). A skipped row still held by `owner` (as the snapshot shows
  // it) is not lost; the next renewal extends it if it still exists.
  static constexpr Sql kRenew{
      "renew_leases_skip_locked",
      "WITH mine AS (SELECT id FROM tasks WHERE id = ANY ($2::bigint[]) AND lease_owner = $3"
      " FOR UPDATE SKIP LOCKED)"
      " UPDATE tasks SET lease_until_ms = $1 FROM mine WHERE tasks.id = mine.id"
      " RETURNING tasks.id"};
  static constexpr Sql kHeld{
      "held_leases",
      "SELECT id FROM tasks WHERE id = ANY ($1::bigint[]) AND lease_owner = $2"};
  Status st = WriteTxn("renew_leases", [&](pg::Txn& x) -> Status {
    lost.clear();
    std::vector<int64_t> kept;
    for (const auto& row : Run(x.c, x.t, kRenew, lease_until_ms, pg::BigintArray(ids), owner)) {
      kept.push_back(row[0].as<int64_t>());
    }
    if (kept.size() < ids.size()) {
      for (const auto& row : Run(x.c, x.t, kHeld, pg::BigintArray(ids), owner)) {
        const int64_t id = row[0].as<int64_t>();
        if (std::find(kept.begin(), kept.end(), id) == kept.end()) kept.push_back(id);
      }
    }
    for (int64_t id : ids) {
      if (std::find(kept.begin(), kept.end(), id) == kept.end()) lost.push_back(id);
    }
    x.wrote = !kept.empty();
    return Status::Ok();
  }, /*durable=*/false);
  if (!st.ok()) return st;
  return lost;
}

Status PgStore::ReleaseLeases(const std::string& owner, const std::vector<int64_t>& ids) {
  if (owner.empty()) return InvalidArgument("owner", "must not be empty");
  if (ids.empty()) return Status::Ok();
  static constexpr Sql kRelease{
      "release_leases",
      "UPDATE tasks SET lease_owner = '', lease_until_ms = 0"
      " WHERE id = ANY ($1::bigint[]) AND lease_owner = $2"};
  return WriteTxn("release_leases", [&](pg::Txn& x) -> Status {
    pqxx::result r = Run(x.c, x.t, kRelease, pg::BigintArray(ids), owner);
    x.wrote = r.affected_rows() > 0;
    x.tasks_freed = x.wrote;  // other nodes may run them at once
    return Status::Ok();
  }, /*durable=*/false);
}

Status PgStore::RescheduleTask(const Task& held, TimeMs due_at_ms,
                               const std::string& payload_json) {
  if (held.lease_owner.empty()) return InvalidArgument("lease_owner", "must not be empty");
  static constexpr Sql kReschedule{
      "reschedule_task",
      "UPDATE tasks SET due_at_ms = $1, payload_json = $2, lease_owner = '', lease_until_ms = 0"
      " WHERE id = $3 AND lease_owner = $4 AND lease_token = $5"};
  return WriteTxn("reschedule_task", [&](pg::Txn& x) -> Status {
    pqxx::result r = Run(x.c, x.t, kReschedule, due_at_ms, payload_json, held.id,
                         held.lease_owner, held.lease_token);
    if (r.affected_rows() == 0) return Conflict("task is not leased by this owner with this token");
    x.wrote = true;
    return Status::Ok();
  }, /*durable=*/false);
}

Status PgStore::DeleteTask(int64_t id, const std::string& lease_owner) {
  static constexpr Sql kDeleteAny{"delete_task_unowned", "DELETE FROM tasks WHERE id = $1"};
  static constexpr Sql kDeleteOwned{"delete_task_owned",
                                    "DELETE FROM tasks WHERE id = $1 AND lease_owner = $2"};
  static constexpr Sql kExists{"task_exists", "SELECT 1 FROM tasks WHERE id = $1"};
  return WriteTxn("delete_task", [&](pg::Txn& x) -> Status {
    if (lease_owner.empty()) {
      x.wrote = Run(x.c, x.t, kDeleteAny, id).affected_rows() > 0;
      return Status::Ok();
    }
    if (Run(x.c, x.t, kDeleteOwned, id, lease_owner).affected_rows() > 0) {
      x.wrote = true;
      return Status::Ok();
    }
    // Gone already is fine; still there means someone else holds (or dropped) the lease.
    if (!Run(x.c, x.t, kExists, id).empty()) return Conflict("task is not leased by this owner");
    return Status::Ok();
  }, /*durable=*/false);
}

Result<std::optional<TimeMs>> PgStore::NextWakeUp() {
  static constexpr Sql kNext{
      "next_wake_up",
      "SELECT (SELECT MIN(due_at_ms) FROM tasks WHERE lease_owner = ''),"
      " (SELECT MIN(lease_until_ms) FROM tasks WHERE lease_owner <> '')"};
  using R = Result<std::optional<TimeMs>>;
  return pg::WithReader<R>(*pool_, "next_wake_up",
                           [&](pg::Conn& c, pqxx::transaction_base& t) -> R {
    pqxx::result r = Run(c, t, kNext);
    std::optional<TimeMs> best;
    for (int col = 0; col < 2; ++col) {
      if (r[0][col].is_null()) continue;
      const TimeMs v = r[0][col].as<int64_t>();
      if (!best || v < *best) best = v;
    }
    return best;
  });
}

Result<int64_t> PgStore::CountClaimableTasks(TimeMs now) {
  static constexpr Sql kCount{
      "count_claimable",
      "SELECT COUNT(*) FROM tasks WHERE due_at_ms <= $1"
      " AND (lease_owner = '' OR lease_until_ms <= $1)"};
  using R = Result<int64_t>;
  return pg::WithReader<R>(*pool_, "count_claimable",
                           [&](pg::Conn& c, pqxx::transaction_base& t) -> R {
    return Run(c, t, kCount, now)[0][0].as<int64_t>();
  });
}

Result<std::vector<Task>> PgStore::TasksOf(const std::string& workflow_id) {
  static constexpr Sql kTasksOf{
      "tasks_of",
      "SELECT " SLIPWAY_PG_TASK_COLUMNS " FROM tasks WHERE workflow_id = $1 ORDER BY id"};
  using R = Result<std::vector<Task>>;
  return pg::WithReader<R>(*pool_, "tasks_of", [&](pg::Conn& c, pqxx::transaction_base& t) -> R {
    std::vector<Task> out;
    for (const auto& row : Run(c, t, kTasksOf, workflow_id)) out.push_back(pg::ReadTask(row));
    return out;
  });
}

}  // namespace slipway::storage
