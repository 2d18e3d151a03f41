// engine/lost_attempts.cc: attempts that ended without an outcome, and quarantine.
//
// A process that dies (std::terminate on a tenant's bytes, the OOM killer, SIGKILL) leaves
// its steps "running". The next claim of such a task notes the lost attempt in history and
// counts it; the step's next attempt runs alone in its process (AttemptGate), so a further
// death is its own; after EngineOptions::quarantine_after_lost in a row the step fails as
// quarantined instead of killing the process once more.
#include "engine/step_runner.h"

namespace slipway::engine {

using nlohmann::json;

// Whether the task's step is still "running" as recorded: its last attempt got no outcome.
bool StepRunner::LastAttemptLost() {
  Result<Engine::Live> live = e_.LoadLive(task_.workflow_id);
  if (!live.ok() || live->instance.state != task_.step) return false;
  json parsed;
  const json* context = live->context.get();
  if (context == nullptr) {
    parsed = json::parse(live->instance.context_json, nullptr, false);
    context = &parsed;
  }
  if (!context->is_object()) return false;
  auto steps = context->find("steps");
  if (steps == context->end() || !steps->is_object()) return false;
  auto step = steps->find(task_.step);
  return step != steps->end() && step->is_object() &&
         step->value("status", "") == step_status::kRunning;
}

// A step still "running" when its task is claimed again had an attempt that never recorded an
// outcome: its process died (or lost the lease) while the activity ran. Such attempts are
// counted in the step's context, in a row: any recorded outcome leaves the step in another
// status, which resets the count. Returns whether the step is to be quarantined.
bool StepRunner::NoteLostAttempt(Transition& t) {
  json& s = t.step(task_.step);
  if (s.value("status", "") != step_status::kRunning) {
    s.erase("lost_attempts");
    return false;
  }
  const int lost = s.value("lost_attempts", 0) + 1;
  s["lost_attempts"] = lost;
  const int limit = e_.options_.quarantine_after_lost;
  const bool quarantine = limit > 0 && lost >= limit;
  if (!quarantine) {
    // The lease named here is the new claim's (the node that noticed), not the lost one's.
    t.AddEvent("step_failed", task_.step, s.value("attempts", 0), "engine",
               WithLease({{"error", {{"code", "attempt_lost"},
                                     {"message", "the attempt ended without an outcome: its "
                                                 "process died or lost the task's lease while "
                                                 "it ran"}}},
                          {"retry", true},
                          {"lost_attempts", lost}}));
  }
  return quarantine;
}

// The step's attempts ended the process again and again (a poisonous input, a crashing
// library): it is failed instead of run once more, and the table routes that failure.
void StepRunner::Quarantine(Transition& t, std::unique_ptr<WorkflowMachine>& m) {
  json& s = t.step(task_.step);
  const int lost = s.value("lost_attempts", 0);
  const int attempt = s.value("attempts", 0);
  json error = {{"code", "quarantined"},
                {"message", "the step's attempt ended the process " + std::to_string(lost) +
                                " times in a row; it is not run again (resume the workflow "
                                "to try once more)"},
                {"lost_attempts", lost},
                {"attempts", attempt}};
  t.CompleteTask(task_.id, task_.lease_owner);
  s["status"] = step_status::kFailed;
  s["ended_at"] = t.now();
  s["error"] = error;
  t.context()["last_error"] = error;
  Advance(t, m, StepFailed{task_.step, error}, "step_failed",
          {{"error", error}, {"retry", false}, {"reason", "quarantined"}}, task_.step, attempt,
          error);
}

}  // namespace slipway::engine
