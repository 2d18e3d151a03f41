// storage/sqlite_commit.cc: applies one Checkpoint inside an open write transaction.
//
// Order matters: instance row (compare-and-set on version), failpoint "store.commit.mid",
// history (seq must continue exactly), finished tasks (lease check), other tasks cancelled,
// new tasks, serial queue. Any rejection returns a non-ok Status and the caller rolls back
// the transaction (Commit) or the savepoint (CommitBatch), so nothing partial survives.
#include "storage/checkpoint_check.h"
#include "storage/sqlite_conn.h"

namespace slipway::storage::sqlite {
namespace {

// Binds instance fields 1..18 in SLIPWAY_INSTANCE_COLUMNS order (id first).
void BindInstance(SQLite::Statement& s, const Instance& i) {
  s.bind(1, i.id);
  s.bind(2, i.type);
  s.bind(3, i.tenant);
  s.bind(4, i.status);
  s.bind(5, i.state);
  s.bind(6, i.input_json);
  s.bind(7, i.input_hash);
  s.bind(8, i.context_json);
  s.bind(9, i.result_json);
  s.bind(10, i.error_json);
  s.bind(11, i.serial_key);
  s.bind(12, static_cast<int64_t>(i.version));
  s.bind(13, static_cast<int64_t>(i.last_seq));
  s.bind(14, i.last_hash);
  s.bind(15, static_cast<int64_t>(i.created_at_ms));
  s.bind(16, static_cast<int64_t>(i.updated_at_ms));
  s.bind(17, static_cast<int64_t>(i.deadline_ms));
  s.bind(18, static_cast<int64_t>(i.type_version));
}

constexpr char kInsertInstance[] =
    "INSERT INTO instances (" SLIPWAY_INSTANCE_COLUMNS
    ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO NOTHING";
// Only the columns a checkpoint may change are named: SQLite rewrites the entries of every
// index whose columns appear in SET, so naming the fixed ones (type, tenant, input, serial
// key, creation time) would rewrite four index pages per checkpoint for nothing. Status has an
// index too: it is set by a second statement that only matches when it really changes.
constexpr char kUpdateInstance[] =
    "UPDATE instances SET state=?2, context_json=?3, result_json=?4, error_json=?5,"
    " version=?6, last_seq=?7, last_hash=?8, updated_at_ms=?9, deadline_ms=?10"
    " WHERE id=?1 AND version=?11";
constexpr char kUpdateStatus[] =
    "UPDATE instances SET status=?2 WHERE id=?1 AND status<>?2";

}  // namespace

Status CheckpointWriter::Apply(const Checkpoint& cp, Failpoints& failpoints) {
  SLIPWAY_RETURN_IF_ERROR(CheckCheckpointShape(cp));
  SLIPWAY_RETURN_IF_ERROR(WriteInstance(cp));
  SLIPWAY_RETURN_IF_ERROR(failpoints.Hit("store.commit.mid"));
  SLIPWAY_RETURN_IF_ERROR(AppendEvents(cp));
  SLIPWAY_RETURN_IF_ERROR(FinishTasks(cp));
  InsertTasks(cp);
  return ApplySerial(cp);
}

Status CheckpointWriter::WriteInstance(const Checkpoint& cp) {
  if (cp.expected_version == 0) {
    Stmt s = c_.Prepare(kInsertInstance);
    BindInstance(*s, cp.instance);
    if (s->exec() == 0) return AlreadyExists("instance already exists");
    return Status::Ok();
  }
  const Instance& i = cp.instance;
  Stmt s = c_.Prepare(kUpdateInstance);
  s->bind(1, i.id);
  s->bind(2, i.state);
  s->bind(3, i.context_json);
  s->bind(4, i.result_json);
  s->bind(5, i.error_json);
  s->bind(6, static_cast<int64_t>(i.version));
  s->bind(7, static_cast<int64_t>(i.last_seq));
  s->bind(8, i.last_hash);
  s->bind(9, static_cast<int64_t>(i.updated_at_ms));
  s->bind(10, static_cast<int64_t>(i.deadline_ms));
  s->bind(11, static_cast<int64_t>(cp.expected_version));
  if (s->exec() == 0) return Conflict("instance version moved (or instance missing)");
  Stmt status = c_.Prepare(kUpdateStatus);
  status->bind(1, i.id);
  status->bind(2, i.status);
  status->exec();
  return Status::Ok();
}

Status CheckpointWriter::AppendEvents(const Checkpoint& cp) {
  if (cp.events.empty()) return Status::Ok();
  int64_t last = 0;
  {
    Stmt q = c_.Prepare("SELECT COALESCE(MAX(seq), 0) FROM history WHERE workflow_id = ?");
    q->bind(1, cp.instance.id);
    q->executeStep();
    last = q->getColumn(0).getInt64();
  }
  Stmt s = c_.Prepare("INSERT INTO history (" SLIPWAY_EVENT_COLUMNS
                      ") VALUES (?,?,?,?,?,?,?,?,?,?)");
  for (const HistoryEvent& e : cp.events) {
    if (e.seq != ++last) return Conflict("history seq does not continue the stored history");
    s->tryReset();
    s->bind(1, cp.instance.id);
    s->bind(2, static_cast<int64_t>(e.seq));
    s->bind(3, static_cast<int64_t>(e.at_ms));
    s->bind(4, e.type);
    s->bind(5, e.step);
    s->bind(6, e.attempt);
    s->bind(7, e.actor);
    s->bind(8, e.data_json);
    s->bind(9, e.prev_hash);
    s->bind(10, e.hash);
    s->exec();
  }
  return Status::Ok();
}

Status CheckpointWriter::FinishTasks(const Checkpoint& cp) {
  if (cp.held_task_id != 0 && !cp.lease_owner.empty()) {
    // Inside the write transaction (BEGIN IMMEDIATE): no claim can move the lease meanwhile.
    Stmt s = c_.Prepare(
        "SELECT 1 FROM tasks WHERE id = ? AND lease_owner = ? AND (?3 = 0 OR lease_token = ?3)");
    s->bind(1, static_cast<int64_t>(cp.held_task_id));
    s->bind(2, cp.lease_owner);
    s->bind(3, static_cast<int64_t>(cp.lease_token));
    if (!s->executeStep()) return Conflict("the task's lease was taken over (or it is gone)");
  }
  for (int64_t id : cp.done_task_ids) {
    int changed = 0;
    if (cp.lease_owner.empty()) {
      Stmt s = c_.Prepare("DELETE FROM tasks WHERE id = ?");
      s->bind(1, static_cast<int64_t>(id));
      changed = s->exec();
    } else {
      Stmt s = c_.Prepare(
          "DELETE FROM tasks WHERE id = ? AND lease_owner = ? AND (?3 = 0 OR lease_token = ?3)");
      s->bind(1, static_cast<int64_t>(id));
      s->bind(2, cp.lease_owner);
      s->bind(3, static_cast<int64_t>(cp.lease_token));
      changed = s->exec();
    }
    if (changed == 0) return Conflict("a finished task is gone or its lease was taken over");
  }
  for (const Task& t : cp.continued_tasks) {
    Stmt s = c_.Prepare(
        "UPDATE tasks SET kind = ?, step = ?, attempt = ?, due_at_ms = ?, payload_json = ?,"
        " lease_until_ms = ? WHERE id = ? AND lease_owner = ? AND lease_owner <> ''"
        " AND (?9 = 0 OR lease_token = ?9)");
    s->bind(1, t.kind);
    s->bind(2, t.step);
    s->bind(3, t.attempt);
    s->bind(4, static_cast<int64_t>(t.due_at_ms));
    s->bind(5, t.payload_json);
    s->bind(6, static_cast<int64_t>(t.lease_until_ms));
    s->bind(7, static_cast<int64_t>(t.id));
    s->bind(8, cp.lease_owner);
    s->bind(9, static_cast<int64_t>(cp.lease_token));
    if (s->exec() == 0) return Conflict("a continued task is gone or its lease was taken over");
  }
  // Before the new tasks are inserted, so that "all other tasks" is simply all of them.
  if (cp.cancel_other_tasks) {
    Stmt s = c_.Prepare("DELETE FROM tasks WHERE workflow_id = ?");
    s->bind(1, cp.instance.id);
    s->exec();
  }
  return Status::Ok();
}

void CheckpointWriter::InsertTasks(const Checkpoint& cp) {
  if (cp.new_tasks.empty()) return;
  Stmt s = c_.Prepare(
      "INSERT INTO tasks (workflow_id, kind, step, attempt, due_at_ms, payload_json,"
      " lease_owner, lease_until_ms) VALUES (?,?,?,?,?,?,?,?)");
  for (const Task& t : cp.new_tasks) {
    s->tryReset();
    s->bind(1, t.workflow_id.empty() ? cp.instance.id : t.workflow_id);
    s->bind(2, t.kind);
    s->bind(3, t.step);
    s->bind(4, t.attempt);
    s->bind(5, static_cast<int64_t>(t.due_at_ms));
    s->bind(6, t.payload_json);
    s->bind(7, t.lease_owner);
    s->bind(8, static_cast<int64_t>(t.lease_owner.empty() ? 0 : t.lease_until_ms));
    s->exec();
  }
}

Status CheckpointWriter::ApplySerial(const Checkpoint& cp) {
  if (cp.serial == Checkpoint::Serial::kEnqueue) {
    Stmt s = c_.Prepare(
        "INSERT INTO serial_queue (serial_key, workflow_id) VALUES (?, ?)"
        " ON CONFLICT (workflow_id) DO NOTHING");
    s->bind(1, cp.instance.serial_key);
    s->bind(2, cp.instance.id);
    s->exec();
  } else if (cp.serial == Checkpoint::Serial::kDequeue) {
    Stmt s = c_.Prepare("DELETE FROM serial_queue WHERE workflow_id = ?");
    s->bind(1, cp.instance.id);
    s->exec();
  }
  return Status::Ok();
}

}  // namespace slipway::storage::sqlite
