// engine/start.cc: Engine::Start, idempotent on the workflow id. Ids live in their tenant's
// namespace (engine/base/ids.h): a generated id is "<tenant>:wf_...", and an id whose prefix
// names another tenant is refused, so a start can neither take nor reveal another tenant's id.
#include "engine/base/ids.h"
#include "engine/base/redact.h"
#include "engine/base/sha256.h"
#include "engine/engine.h"

namespace slipway::engine {

using nlohmann::json;

namespace {

std::string StartHash(const StartRequest& req) {
  json canonical = {{"type", req.type}, {"tenant", req.tenant}, {"input", req.input}};
  return Sha256Hex(canonical.dump());
}

// "<group>:<tenant>", or "" when the type is not serialised.
std::string SerialKey(const WorkflowType& type, const std::string& tenant) {
  return type.serial_group.empty() ? "" : type.serial_group + ":" + tenant;
}

Status ValidateStart(const StartRequest& req, const WorkflowType* type) {
  if (type == nullptr) return InvalidArgument("type", "unknown workflow type '" + req.type + "'");
  SLIPWAY_RETURN_IF_ERROR(ValidateTenantId(req.tenant));
  if (!req.id.empty()) {
    SLIPWAY_RETURN_IF_ERROR(ValidateWorkflowId(req.id));
    SLIPWAY_RETURN_IF_ERROR(CheckWorkflowIdTenant(req.id, req.tenant));
  }
  if (!req.input.is_object()) return InvalidArgument("input", "must be a JSON object");
  if (type->validate_input) return type->validate_input(req.input);
  return Status::Ok();
}

}  // namespace

Result<Workflow> Engine::Start(const StartRequest& req, const Caller& caller) {
  const WorkflowType* type = FindType(req.type);
  SLIPWAY_RETURN_IF_ERROR(ValidateStart(req, type));
  const std::string hash = StartHash(req);
  const TimeMs now = clock_.NowMs();
  storage::Instance fresh;
  fresh.id = req.id.empty() ? req.tenant + ":" + NewWorkflowId(now) : req.id;

  // The same id again: the same request gets the existing workflow, another one a conflict.
  auto existing = [&]() -> Result<Workflow> {
    Result<storage::Instance> inst = store_.Load(fresh.id);
    if (!inst.ok()) return inst.status();
    if (inst->input_hash != hash) {
      return Conflict("workflow " + fresh.id + " exists with a different request");
    }
    return ToWorkflow(*inst);
  };
  if (!req.id.empty()) {
    Result<Workflow> found = existing();
    if (found.ok() || found.status().code() != Code::kNotFound) return found;
  }

  // The stored input: the request's, completed by the type (after the hash, so a repeated
  // request still matches its workflow when, say, the tenant's policy changed meanwhile).
  // Secrets in it (a "stripe_api_key", a "token ..." string) are not stored: the row, every
  // view, history and the activities see the redacted input. The start hash above is over the
  // request as sent, so the same request again still finds this workflow.
  json prepared_input = req.input;
  if (type->prepare_input) {
    Result<json> prepared = type->prepare_input(req.tenant, req.input);
    if (!prepared.ok()) return prepared.status();
    prepared_input = std::move(*prepared);
  }
  auto input = std::make_shared<const json>(RedactJson(prepared_input));
  fresh.type = req.type;
  fresh.type_version = type->version;  // the newest: the instance keeps it until it ends
  fresh.tenant = req.tenant;
  fresh.input_json = input->dump(-1, ' ', false, json::error_handler_t::replace);
  fresh.input_hash = hash;
  fresh.serial_key = SerialKey(*type, req.tenant);
  if (type->deadline_ms > 0) fresh.deadline_ms = now + type->deadline_ms;
  std::unique_ptr<WorkflowMachine> machine = type->make_machine();
  machine->Start(*input);  // as Replay will, from the stored input
  fresh.state = machine->state();

  Transition t = Transition::Create(*type, fresh, now, options_.history);
  json started = {{"type", req.type}, {"tenant", req.tenant}, {"input", *input}};
  started.update(caller.ToJson());
  t.AddEvent("workflow_started", "", 0, caller.actor, started);
  if (type->deadline_ms > 0) {
    t.AddTask(kTimerTask, "", 0, fresh.deadline_ms, {{"purpose", "workflow_deadline"}});
  }
  if (!fresh.serial_key.empty()) {
    t.Enqueue("engine");
  } else {
    t.EnterState(*machine, "engine");
  }
  Status st = CommitTransition(t, std::move(machine), std::move(input));
  if (st.code() == Code::kAlreadyExists) return existing();  // a concurrent start won
  if (!st.ok()) return st;
  Result<Workflow> w = GetCached(fresh.id);  // what was just committed: no store read
  if (w.ok()) w->created = true;
  return w;
}

}  // namespace slipway::engine
