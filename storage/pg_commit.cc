// storage/pg_commit.cc: applies one Checkpoint inside an open PostgreSQL transaction.
//
// Same order as SqliteStore's: instance row (compare-and-set on version, which also locks the
// row, so a second node committing this workflow waits and then fails the version check),
// failpoint "store.commit.mid", history (seq must continue exactly; the primary key catches a
// race), finished tasks (lease owner and fencing token), other tasks cancelled, new tasks,
// serial queue (under an advisory lock on the key, so that seq order is commit order).
#include "storage/checkpoint_check.h"
#include "storage/pg_conn.h"

namespace slipway::storage::pg {
namespace {

constexpr Sql kInsertInstance{
    "insert_instance",
    "INSERT INTO instances (" SLIPWAY_PG_INSTANCE_COLUMNS
    ") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18)"
    " ON CONFLICT (id) DO NOTHING"};
constexpr Sql kUpdateInstance{
    "update_instance",
    "UPDATE instances SET state=$2, context_json=$3, result_json=$4, error_json=$5,"
    " version=$6, last_seq=$7, last_hash=$8, updated_at_ms=$9, deadline_ms=$10, status=$12"
    " WHERE id=$1 AND version=$11"};
constexpr Sql kLastSeq{"last_seq",
                       "SELECT COALESCE(MAX(seq), 0) FROM history WHERE workflow_id = $1"};
constexpr Sql kInsertEvent{"insert_event", "INSERT INTO history (" SLIPWAY_PG_EVENT_COLUMNS
                                           ") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)"};
constexpr Sql kDeleteAny{"delete_task_any", "DELETE FROM tasks WHERE id = $1"};
constexpr Sql kDeleteLeased{
    "delete_task_leased",
    "DELETE FROM tasks WHERE id = $1 AND lease_owner = $2"
    " AND ($3::bigint = 0 OR lease_token = $3::bigint)"};
constexpr Sql kContinue{
    "continue_task",
    "UPDATE tasks SET kind = $1, step = $2, attempt = $3, due_at_ms = $4, payload_json = $5,"
    " lease_until_ms = $6 WHERE id = $7 AND lease_owner = $8 AND lease_owner <> ''"
    " AND ($9::bigint = 0 OR lease_token = $9::bigint)"};
constexpr Sql kHoldLease{
    "hold_lease",
    "SELECT 1 FROM tasks WHERE id = $1 AND lease_owner = $2"
    " AND ($3::bigint = 0 OR lease_token = $3::bigint) FOR UPDATE"};
constexpr Sql kCancelOthers{"cancel_tasks", "DELETE FROM tasks WHERE workflow_id = $1"};
constexpr Sql kInsertTask{
    "insert_task",
    "INSERT INTO tasks (workflow_id, kind, step, attempt, due_at_ms, payload_json,"
    " lease_owner, lease_until_ms) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)"};
constexpr Sql kLockKey{"lock_serial_key", "SELECT pg_advisory_xact_lock($1, hashtext($2))"};
constexpr Sql kEnqueue{"enqueue",
                       "INSERT INTO serial_queue (serial_key, workflow_id) VALUES ($1, $2)"
                       " ON CONFLICT (workflow_id) DO NOTHING"};
constexpr Sql kDequeue{"dequeue", "DELETE FROM serial_queue WHERE workflow_id = $1"};

}  // namespace

Status CheckpointWriter::Apply(const Checkpoint& cp, Failpoints& failpoints) {
  SLIPWAY_RETURN_IF_ERROR(CheckCheckpointShape(cp));
  SLIPWAY_RETURN_IF_ERROR(WriteInstance(cp));
  SLIPWAY_RETURN_IF_ERROR(failpoints.Hit("store.commit.mid"));
  SLIPWAY_RETURN_IF_ERROR(AppendEvents(cp));
  SLIPWAY_RETURN_IF_ERROR(FinishTasks(cp));
  InsertTasks(cp);
  ApplySerial(cp);
  return Status::Ok();
}

Status CheckpointWriter::WriteInstance(const Checkpoint& cp) {
  const Instance& i = cp.instance;
  if (cp.expected_version == 0) {
    pqxx::result r = Run(c_, t_, kInsertInstance, i.id, i.type, i.tenant, i.status, i.state,
                         i.input_json, i.input_hash, i.context_json, i.result_json,
                         i.error_json, i.serial_key, i.version, i.last_seq, i.last_hash,
                         i.created_at_ms, i.updated_at_ms, i.deadline_ms, i.type_version);
    if (r.affected_rows() == 0) return AlreadyExists("instance already exists");
    return Status::Ok();
  }
  pqxx::result r = Run(c_, t_, kUpdateInstance, i.id, i.state, i.context_json, i.result_json,
                       i.error_json, i.version, i.last_seq, i.last_hash, i.updated_at_ms,
                       i.deadline_ms, cp.expected_version, i.status);
  if (r.affected_rows() == 0) return Conflict("instance version moved (or instance missing)");
  return Status::Ok();
}

Status CheckpointWriter::AppendEvents(const Checkpoint& cp) {
  if (cp.events.empty()) return Status::Ok();
  int64_t last = Run(c_, t_, kLastSeq, cp.instance.id)[0][0].as<int64_t>();
  for (const HistoryEvent& e : cp.events) {
    if (e.seq != ++last) return Conflict("history seq does not continue the stored history");
    Run(c_, t_, kInsertEvent, cp.instance.id, e.seq, e.at_ms, e.type, e.step, e.attempt,
        e.actor, e.data_json, e.prev_hash, e.hash);
  }
  return Status::Ok();
}

Status CheckpointWriter::FinishTasks(const Checkpoint& cp) {
  // Locked until the commit: a claim (SKIP LOCKED) cannot take the lease over meanwhile.
  if (cp.held_task_id != 0 && !cp.lease_owner.empty() &&
      Run(c_, t_, kHoldLease, cp.held_task_id, cp.lease_owner, cp.lease_token).empty()) {
    return Conflict("the task's lease was taken over (or it is gone)");
  }
  for (int64_t id : cp.done_task_ids) {
    pqxx::result r = cp.lease_owner.empty()
                         ? Run(c_, t_, kDeleteAny, id)
                         : Run(c_, t_, kDeleteLeased, id, cp.lease_owner, cp.lease_token);
    if (r.affected_rows() == 0) {
      return Conflict("a finished task is gone or its lease was taken over");
    }
  }
  for (const Task& t : cp.continued_tasks) {
    pqxx::result r = Run(c_, t_, kContinue, t.kind, t.step, t.attempt, t.due_at_ms,
                         t.payload_json, t.lease_until_ms, t.id, cp.lease_owner,
                         cp.lease_token);
    if (r.affected_rows() == 0) {
      return Conflict("a continued task is gone or its lease was taken over");
    }
  }
  // Before the new tasks are inserted, so that "all other tasks" is simply all of them.
  if (cp.cancel_other_tasks) Run(c_, t_, kCancelOthers, cp.instance.id);
  return Status::Ok();
}

void CheckpointWriter::InsertTasks(const Checkpoint& cp) {
  for (const Task& t : cp.new_tasks) {
    Run(c_, t_, kInsertTask, t.workflow_id.empty() ? cp.instance.id : t.workflow_id, t.kind,
        t.step, t.attempt, t.due_at_ms, t.payload_json, t.lease_owner,
        static_cast<int64_t>(t.lease_owner.empty() ? 0 : t.lease_until_ms));
  }
}

void CheckpointWriter::ApplySerial(const Checkpoint& cp) {
  if (cp.serial == Checkpoint::Serial::kEnqueue) {
    // Held until commit: a later enqueue on the key takes a higher seq AND commits later, so
    // no node ever sees a queue whose head changes behind an admitted workflow.
    Run(c_, t_, kLockKey, kLockSerialKey, cp.instance.serial_key);
    Run(c_, t_, kEnqueue, cp.instance.serial_key, cp.instance.id);
  } else if (cp.serial == Checkpoint::Serial::kDequeue) {
    Run(c_, t_, kDequeue, cp.instance.id);
  }
}

}  // namespace slipway::storage::pg
