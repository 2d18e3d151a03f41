// http/cancel_workflow_handler.cc: POST /v1/workflows/{id}/cancel {"reason"?} -> 202 with the
// workflow (cancelled, or cancelling while its running step stops); 409 when already final.
#include "http/errors.h"
#include "http/handlers.h"
#include "http/views.h"

namespace slipway::http {

// Shared by cancel and resume: a body of at most {"reason"}, the workflow must be visible to
// the caller, then one engine verb; 202 with the workflow.
void HandleReasonVerb(ApiServices& s, Exchange& ex, ReasonVerb verb) {
  Result<nlohmann::json> body = ReadJsonObject(ex.req, s.limits(), {"reason"}, true);
  if (!body.ok()) return WriteError(ex.resp, body.status());
  Result<std::string> reason = OptionalString(*body, "reason", 1000);
  if (!reason.ok()) return WriteError(ex.resp, reason.status());
  ex.caller.reason = *reason;
  Result<engine::Workflow> visible = GetVisible(s, ex, ex.params[0]);
  if (!visible.ok()) return WriteError(ex.resp, visible.status());
  Result<engine::Workflow> wf = (s.engine.*verb)(ex.params[0], ex.caller);
  if (!wf.ok()) return WriteError(ex.resp, wf.status());
  WriteJson(ex.resp, 202, WorkflowJson(*wf));
}

void HandleCancelWorkflow(ApiServices& s, Exchange& ex) {
  HandleReasonVerb(s, ex, &engine::Engine::Cancel);
}

}  // namespace slipway::http
