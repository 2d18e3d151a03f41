// engine/ops.cc: the verbs ops and tenants use on a running workflow: cancel, resume, signal.
// Each records who asked, from where, why and the request id, and commits with
// compare-and-set; a conflict (a step finished meanwhile) reloads and decides again.
#include "engine/engine.h"

namespace slipway::engine {

using nlohmann::json;

namespace {
constexpr int kMaxConflictRetries = 8;

json WithCaller(json data, const Caller& caller) {
  data.update(caller.ToJson());
  return data;
}
}  // namespace

Result<Workflow> Engine::Mutate(const std::string& id, const Mutation& mutate) {
  for (int i = 0; i < kMaxConflictRetries; ++i) {
    Result<Live> live = LoadLive(id);
    if (!live.ok()) return live.status();
    const WorkflowType* type = FindType(live->instance.type, live->instance.type_version);
    if (type == nullptr) return Internal("no registered workflow type " + live->instance.type);
    Transition t(*type, live->instance, clock_.NowMs(), options_.history, live->context);
    std::unique_ptr<WorkflowMachine> machine = live->machine->Clone();
    SLIPWAY_RETURN_IF_ERROR(mutate(*live, t, machine));
    Status st = CommitTransition(t, std::move(machine), live->input);
    if (st.ok()) return ToWorkflow(t.instance());
    if (st.code() != Code::kConflict) return st;
  }
  return Conflict("workflow " + id + " kept changing; try again");
}

Result<Workflow> Engine::Cancel(const std::string& id, const Caller& caller) {
  bool interrupt = false;
  Result<Workflow> w = Mutate(id, [&](Live& live, Transition& t, auto&) -> Status {
    const std::string& st = live.instance.status;
    if (status::IsFinal(st)) return FailedPrecondition("workflow is already " + st);
    if (st == status::kCancelling) return FailedPrecondition("workflow is already cancelling");
    json data = WithCaller(json::object(), caller);
    const json& steps = t.context()["steps"];
    bool in_flight = st == status::kRunning && steps.contains(live.instance.state) &&
                     steps[live.instance.state].value("status", "") == step_status::kRunning;
    if (in_flight) {
      // The running activity gets its token cancelled; its outcome ends the workflow.
      t.instance().status = status::kCancelling;
      t.AddEvent("cancel_requested", live.instance.state, 0, caller.actor, data);
      interrupt = true;
      return Status::Ok();
    }
    if (st == status::kQueued) t.context()["was_queued"] = true;
    t.Finish(status::kCancelled, data, caller.actor);
    return Status::Ok();
  });
  if (w.ok() && interrupt) CancelRunning(id);
  return w;
}

Result<Workflow> Engine::Resume(const std::string& id, const Caller& caller) {
  return Mutate(id, [&](Live& live, Transition& t, std::unique_ptr<WorkflowMachine>& m) -> Status {
    if (live.instance.status != status::kFailed) {
      return FailedPrecondition("only a failed workflow can be resumed; this one is " +
                                live.instance.status);
    }
    const WorkflowType& type = *FindType(live.instance.type, live.instance.type_version);
    const StateSpec& spec = type.states.at(m->state());
    bool fed = false;
    if (spec.kind == StateKind::kFailed) {
      // Failed in a final state (e.g. after a rollback): the table decides where to go.
      if (!m->Process(Resumed{})) {
        return FailedPrecondition("workflow failed in state " + live.instance.state +
                                  ", which cannot be resumed");
      }
      fed = true;
    }
    t.context()["resume_count"] = t.resume_count() + 1;
    t.context()["resuming"] = true;
    t.instance().error_json.clear();
    t.AddEvent("workflow_resumed", m->state(), 0, caller.actor,
               WithCaller({{"handled", fed}, {"resume_count", t.resume_count()},
                           {"from_state", live.instance.state}},
                          caller));
    if (!live.instance.serial_key.empty()) {
      t.Enqueue("engine");  // back into the tenant's queue, behind whoever is active
    } else {
      t.EnterState(*m, "engine");
    }
    return Status::Ok();
  });
}

Result<Workflow> Engine::Signal(const std::string& id, const std::string& name,
                                const json& data, const Caller& caller) {
  if (name.empty() || name.size() > 64) return InvalidArgument("name", "signal name is 1-64 characters");
  return Mutate(id, [&](Live& live, Transition& t, std::unique_ptr<WorkflowMachine>& m) -> Status {
    const std::string& st = live.instance.status;
    if (status::IsFinal(st) || st == status::kCancelling || st == status::kQueued) {
      return FailedPrecondition("workflow is " + st + " and takes no signals");
    }
    const std::string before = m->state();
    if (!m->Process(Signalled{name, data})) {
      return FailedPrecondition("workflow in state " + before + " does not accept signal '" +
                                name + "'");
    }
    t.AddEvent("signal_received", before, 0, caller.actor,
               WithCaller({{"name", name}, {"data", data}, {"handled", true}}, caller));
    if (m->state() != before) {
      json& s = t.step(before);
      if (s.value("status", "") == step_status::kWaiting) {
        s["status"] = step_status::kSucceeded;
        s["ended_at"] = t.now();
      }
      t.EnterState(*m, caller.actor);
    }
    return Status::Ok();
  });
}

}  // namespace slipway::engine
