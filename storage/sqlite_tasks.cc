// storage/sqlite_tasks.cc: SqliteStore's task verbs: claims with leases and per-kind
// capacity, lease renewal and release, task deletion, the next wake-up time and a workflow's
// tasks.
//
// A claim reads and leases in one BEGIN IMMEDIATE transaction, so two stores (or processes)
// on the same file can never lease the same task: the second waits for the first's commit
// and then sees the lease.
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "storage/sqlite_conn.h"
#include "storage/sqlite_store.h"

namespace slipway::storage {

using sqlite::Conn;
using sqlite::Stmt;

namespace {

// Live leases (lease_until > now) per capped kind, across every owner.
std::map<std::string, int64_t> LiveLeases(Conn& c, const ClaimRequest& req) {
  std::map<std::string, int64_t> live;
  for (const auto& [kind, capacity] : req.kind_capacity) {
    (void)capacity;
    Stmt s = c.Prepare(
        "SELECT COUNT(*) FROM tasks WHERE kind = ? AND lease_owner <> '' AND lease_until_ms > ?");
    s->bind(1, kind);
    s->bind(2, static_cast<int64_t>(req.now_ms));
    s->executeStep();
    live[kind] = s->getColumn(0).getInt64();
  }
  return live;
}

// Due, claimable tasks in (due_at, id) order, skipping kinds at capacity, at most req.limit.
// The query itself leaves out the kinds already at capacity: 10,000 validations queued for 2
// build slots are not read row by row, under the write lock, at every claim (at 10,000
// deployments that starved every commit: 4 deployments a second got past validation). A kind
// that fills up on the way ends the round; the next round asks again without it.
std::vector<Task> PickClaimable(Conn& c, const ClaimRequest& req) {
  std::map<std::string, int64_t> live = LiveLeases(c, req);
  std::vector<Task> picked;
  std::set<int64_t> taken;
  for (size_t round = 0; round <= req.kind_capacity.size(); ++round) {
    nlohmann::json full = nlohmann::json::array();
    for (const auto& [kind, capacity] : req.kind_capacity) {
      if (live[kind] >= capacity) full.push_back(kind);
    }
    Stmt s = c.Prepare(
        "SELECT " SLIPWAY_TASK_COLUMNS " FROM tasks WHERE due_at_ms <= ?1"
        " AND (lease_owner = '' OR lease_until_ms <= ?1)"
        " AND kind NOT IN (SELECT value FROM json_each(?2)) ORDER BY due_at_ms, id");
    s->bind(1, static_cast<int64_t>(req.now_ms));
    s->bind(2, full.dump());
    bool filled = false;
    while (!filled && static_cast<int>(picked.size()) < req.limit && s->executeStep()) {
      Task t = sqlite::ReadTask(*s);
      if (taken.count(t.id) > 0) continue;  // picked in an earlier round
      auto cap = req.kind_capacity.find(t.kind);
      if (cap != req.kind_capacity.end()) {
        if (live[t.kind] >= cap->second) {
          filled = true;  // it filled up in this round: ask again without it
          continue;
        }
        live[t.kind]++;
      }
      taken.insert(t.id);
      picked.push_back(std::move(t));
    }
    if (!filled) break;
  }
  std::sort(picked.begin(), picked.end(), [](const Task& a, const Task& b) {
    return a.due_at_ms != b.due_at_ms ? a.due_at_ms < b.due_at_ms : a.id < b.id;
  });
  return picked;
}

void Lease(Conn& c, const ClaimRequest& req, std::vector<Task>* tasks) {
  Stmt s = c.Prepare(
      "UPDATE tasks SET lease_owner = ?1, lease_until_ms = ?2,"
      " lease_token = CASE WHEN lease_owner = ?1 THEN lease_token ELSE lease_token + 1 END"
      " WHERE id = ?3");
  for (Task& t : *tasks) {
    s->tryReset();
    s->bind(1, req.owner);
    s->bind(2, static_cast<int64_t>(req.lease_until_ms));
    s->bind(3, static_cast<int64_t>(t.id));
    s->exec();
    t.lease_until_ms = req.lease_until_ms;
    if (t.lease_owner != req.owner) t.lease_token += 1;  // as the UPDATE did
    t.lease_owner = req.owner;
  }
}

}  // namespace

Result<std::vector<Task>> SqliteStore::ClaimTasks(const ClaimRequest& req) {
  if (req.owner.empty()) return InvalidArgument("owner", "must not be empty");
  if (req.lease_until_ms <= req.now_ms) {
    return InvalidArgument("lease_until_ms", "must be later than now_ms");
  }
  std::vector<Task> claimed;
  if (req.limit <= 0) return claimed;
  Status st = WriteTxn("claim_tasks", [&](Conn& c) -> Status {
    claimed = PickClaimable(c, req);
    Lease(c, req, &claimed);
    return Status::Ok();
  }, Durability::kLease);
  if (!st.ok()) return st;
  return claimed;
}

Result<std::vector<int64_t>> SqliteStore::RenewLeases(const std::string& owner,
                                                      const std::vector<int64_t>& ids,
                                                      TimeMs lease_until_ms) {
  if (owner.empty()) return InvalidArgument("owner", "must not be empty");
  std::vector<int64_t> lost;
  if (ids.empty()) return lost;
  Status st = WriteTxn("renew_leases", [&](Conn& c) -> Status {
    lost.clear();
    Stmt s = c.Prepare("UPDATE tasks SET lease_until_ms = ? WHERE id = ? AND lease_owner = ?");
    for (int64_t id : ids) {
      s->tryReset();
      s->bind(1, static_cast<int64_t>(lease_until_ms));
      s->bind(2, static_cast<int64_t>(id));
      s->bind(3, owner);
      if (s->exec() == 0) lost.push_back(id);
    }
    return Status::Ok();
  }, Durability::kLease);
  if (!st.ok()) return st;
  return lost;
}

Status SqliteStore::ReleaseLeases(const std::string& owner, const std::vector<int64_t>& ids) {
  if (owner.empty()) return InvalidArgument("owner", "must not be empty");
  if (ids.empty()) return Status::Ok();
  return WriteTxn("release_leases", [&](Conn& c) -> Status {
    Stmt s = c.Prepare(
        "UPDATE tasks SET lease_owner = '', lease_until_ms = 0 WHERE id = ? AND lease_owner = ?");
    for (int64_t id : ids) {
      s->tryReset();
      s->bind(1, static_cast<int64_t>(id));
      s->bind(2, owner);
      s->exec();
    }
    return Status::Ok();
  }, Durability::kLease);
}

struct SqliteStore::PendingReschedule {
  const Task& held;
  TimeMs due_at_ms;
  const std::string& payload_json;
  Status result;
  bool done = false;
};

Status SqliteStore::RescheduleTask(const Task& held, TimeMs due_at_ms,
                                   const std::string& payload_json) {
  if (held.lease_owner.empty()) return InvalidArgument("lease_owner", "must not be empty");
  PendingReschedule me{held, due_at_ms, payload_json, Status::Ok(), false};
  std::unique_lock<std::mutex> lock(reschedule_mu_);
  reschedules_.push_back(&me);
  while (!me.done) {
    if (rescheduling_) {
      reschedule_done_.wait(lock);
      continue;
    }
    // This caller writes everything queued so far (its own reschedule included).
    rescheduling_ = true;
    std::vector<PendingReschedule*> batch;
    batch.swap(reschedules_);
    lock.unlock();
    Status st = Internal("reschedule batch threw");
    try {
      st = WriteBatchOfReschedules(batch);
    } catch (...) {  // the waiting callers must hear of it, whatever happened
    }
    lock.lock();
    for (PendingReschedule* r : batch) {
      if (!st.ok()) r->result = st;
      r->done = true;
    }
    rescheduling_ = false;
    reschedule_done_.notify_all();
  }
  return me.result;
}

Status SqliteStore::WriteBatchOfReschedules(const std::vector<PendingReschedule*>& batch) {
  return WriteTxn("reschedule_task", [&](Conn& c) -> Status {
    Stmt s = c.Prepare(
        "UPDATE tasks SET due_at_ms = ?, payload_json = ?, lease_owner = '', lease_until_ms = 0"
        " WHERE id = ? AND lease_owner = ? AND lease_token = ?");
    for (PendingReschedule* r : batch) {
      s->reset();
      s->bind(1, static_cast<int64_t>(r->due_at_ms));
      s->bind(2, r->payload_json);
      s->bind(3, static_cast<int64_t>(r->held.id));
      s->bind(4, r->held.lease_owner);
      s->bind(5, static_cast<int64_t>(r->held.lease_token));
      r->result = s->exec() == 0 ? Conflict("task is not leased by this owner with this token")
                                 : Status::Ok();
    }
    return Status::Ok();
  }, Durability::kLease);
}

Status SqliteStore::DeleteTask(int64_t id, const std::string& lease_owner) {
  return WriteTxn("delete_task", [&](Conn& c) -> Status {
    if (lease_owner.empty()) {
      Stmt s = c.Prepare("DELETE FROM tasks WHERE id = ?");
      s->bind(1, static_cast<int64_t>(id));
      s->exec();
      return Status::Ok();
    }
    Stmt s = c.Prepare("DELETE FROM tasks WHERE id = ? AND lease_owner = ?");
    s->bind(1, static_cast<int64_t>(id));
    s->bind(2, lease_owner);
    if (s->exec() > 0) return Status::Ok();
    Stmt exists = c.Prepare("SELECT 1 FROM tasks WHERE id = ?");
    exists->bind(1, static_cast<int64_t>(id));
    // Gone already is fine; still there means someone else holds (or dropped) the lease.
    if (exists->executeStep()) return Conflict("task is not leased by this owner");
    return Status::Ok();
  }, Durability::kLease);
}

Result<std::optional<TimeMs>> SqliteStore::NextWakeUp() {
  using R = Result<std::optional<TimeMs>>;
  return sqlite::WithReader<R>(*readers_, "next_wake_up", [&](Conn& c) -> R {
    // Two index-backed minimums in one statement (one snapshot): unleased tasks wake at their
    // due time, leased ones when their lease expires.
    Stmt s = c.Prepare(
        "SELECT (SELECT MIN(due_at_ms) FROM tasks WHERE lease_owner = ''),"
        " (SELECT MIN(lease_until_ms) FROM tasks WHERE lease_owner <> '')");
    s->executeStep();
    std::optional<TimeMs> best;
    for (int col = 0; col < 2; ++col) {
      if (s->getColumn(col).isNull()) continue;
      const TimeMs v = s->getColumn(col).getInt64();
      if (!best || v < *best) best = v;
    }
    return best;
  });
}

Result<int64_t> SqliteStore::CountClaimableTasks(TimeMs now) {
  return sqlite::WithReader<Result<int64_t>>(*readers_, "count_claimable",
                                             [&](Conn& c) -> Result<int64_t> {
    // The claim query's condition; the due-time index bounds the scan to tasks due by now.
    Stmt s = c.Prepare(
        "SELECT COUNT(*) FROM tasks WHERE due_at_ms <= ?1"
        " AND (lease_owner = '' OR lease_until_ms <= ?1)");
    s->bind(1, static_cast<int64_t>(now));
    s->executeStep();
    return s->getColumn(0).getInt64();
  });
}

Result<std::vector<Task>> SqliteStore::TasksOf(const std::string& workflow_id) {
  using R = Result<std::vector<Task>>;
  return sqlite::WithReader<R>(*readers_, "tasks_of", [&](Conn& c) -> R {
    Stmt s = c.Prepare("SELECT " SLIPWAY_TASK_COLUMNS
                       " FROM tasks WHERE workflow_id = ? ORDER BY id");
    s->bind(1, workflow_id);
    std::vector<Task> out;
    while (s->executeStep()) out.push_back(sqlite::ReadTask(*s));
    return out;
  });
}

}  // namespace slipway::storage
