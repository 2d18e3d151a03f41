// http/signal_workflow_handler.cc: POST /v1/workflows/{id}/signals/{name} {"data"?,
// "reason"?} -> 202; 409 when the workflow's state does not take that signal. `approve` and
// `reject` need the ops or approver role (403, field "name", for a tenant: see auth.h).
#include "http/errors.h"
#include "http/handlers.h"
#include "http/views.h"

namespace slipway::http {

namespace {

Status ValidateSignalName(const std::string& name) {
  if (name.empty() || name.size() > 64 ||
      name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") !=
          std::string::npos) {
    return InvalidArgument("name", "signal name is 1-64 characters of [A-Za-z0-9_.-]");
  }
  return Status::Ok();
}

}  // namespace

void HandleSignalWorkflow(ApiServices& s, Exchange& ex) {
  Status name_ok = ValidateSignalName(ex.params[1]);
  if (!name_ok.ok()) return WriteError(ex.resp, name_ok);
  Status allowed = AuthorizeSignal(ex.principal, ex.params[1]);
  if (!allowed.ok()) return WriteError(ex.resp, allowed);
  Result<nlohmann::json> body = ReadJsonObject(ex.req, s.limits(), {"data", "reason"}, true);
  if (!body.ok()) return WriteError(ex.resp, body.status());
  Result<std::string> reason = OptionalString(*body, "reason", 1000);
  if (!reason.ok()) return WriteError(ex.resp, reason.status());
  ex.caller.reason = *reason;
  const nlohmann::json data = body->value("data", nlohmann::json::object());
  Result<engine::Workflow> visible = GetVisible(s, ex, ex.params[0]);
  if (!visible.ok()) return WriteError(ex.resp, visible.status());
  Result<engine::Workflow> wf = s.engine.Signal(ex.params[0], ex.params[1], data, ex.caller);
  if (!wf.ok()) return WriteError(ex.resp, wf.status());
  WriteJson(ex.resp, 202, WorkflowJson(*wf));
}

}  // namespace slipway::http
