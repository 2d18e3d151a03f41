// engine/versions.cc: in-flight instances of a type version this process does not register.
//
// An upgrade may drop an old table while instances that started on it are still parked (on a
// timer, a signal, a retry). Replaying such an instance through another version's table could
// silently take a different path, or fail half-way through its history, so it is never run:
// the first task of it that this process claims holds it instead, failed with error code
// "type_version_unregistered" naming the type and version. A failed workflow is visible to ops
// (GET, list ?status=failed), keeps its history, and is resumed (Engine::Resume) by a process
// that registers its version again, on the table it started with.
#include <string>

#include "engine/step_runner.h"

namespace slipway::engine {

using nlohmann::json;

namespace {

constexpr const char* kField = "type_version";
constexpr int kMaxHoldTries = 8;

}  // namespace

Status TypeVersionUnregistered(const std::string& type, int64_t version) {
  return Status(Code::kFailedPrecondition,
                "workflow type " + type + " version " + std::to_string(version) +
                    " is not registered in this process; the workflow is held rather than run on "
                    "another version's table: resume it where version " +
                    std::to_string(version) + " is registered",
                kField);
}

bool IsTypeVersionUnregistered(const Status& st) {
  return st.code() == Code::kFailedPrecondition && st.field() == kField;
}

void StepRunner::Hold(const std::string& id, Then then, int tries) {
  if (tries >= kMaxHoldTries) return then(Conflict("workflow " + id + " kept changing"));
  Result<storage::Instance> inst = e_.store_.Load(id);
  if (!inst.ok() && inst.status().code() == Code::kNotFound) return then(e_.DeleteTask(task_));
  if (!inst.ok()) return then(inst.status());
  // A finished workflow's leftover task (a stale timer) has nothing to hold.
  if (status::IsFinal(inst->status)) return then(e_.DeleteTask(task_));
  // Only the instance row is needed: no machine, no table. The stand-in type has no states,
  // so this transition can finish the workflow but never enter a state of it.
  WorkflowType unknown;
  unknown.name = inst->type;
  unknown.version = static_cast<int>(inst->type_version);
  Transition t(unknown, *inst, e_.clock_.NowMs(), e_.options_.history);
  t.CompleteTask(task_.id, task_.lease_owner);
  t.HoldLease(task_);
  if (inst->status == status::kCancelling) {
    t.Finish(status::kCancelled, {{"reason", "cancelled before the step ran"}}, "engine");
  } else {
    const Status why = TypeVersionUnregistered(inst->type, inst->type_version);
    t.FailAt(inst->state,
             {{"code", "type_version_unregistered"},
              {"message", why.message()},
              {"type", inst->type},
              {"type_version", inst->type_version}},
             "engine");
  }
  auto self = shared_from_this();
  e_.CommitTransitionAsync(t, nullptr, nullptr, executor_,
                           [self, id, then = std::move(then), tries](Status st) {
                             if (st.code() != Code::kConflict) return then(st);
                             self->Hold(id, then, tries + 1);
                           });
}

}  // namespace slipway::engine
