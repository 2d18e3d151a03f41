// http/resume_workflow_handler.cc: POST /v1/workflows/{id}/resume {"reason"?} -> 202; only a
// failed workflow resumes (409 otherwise). Ops only (the route's access).
#include "http/errors.h"
#include "http/handlers.h"

namespace slipway::http {

void HandleResumeWorkflow(ApiServices& s, Exchange& ex) {
  Result<nlohmann::json> body = ReadJsonObject(ex.req, s.limits(), {"reason"}, true);
  if (!body.ok()) return WriteError(ex.resp, body.status());
  Result<std::string> reason = OptionalString(*body, "reason", 1000);
  if (!reason.ok()) return WriteError(ex.resp, reason.status());
  ex.caller.reason = *reason;
  Result<engine::Workflow> visible = GetVisible(s, ex, ex.params[0]);
  if (!visible.ok()) return WriteError(ex.resp, visible.status());
  Result<engine::Workflow> wf = s.engine.Resume(ex.params[0], ex.caller);
  if (!wf.ok()) return WriteError(ex.resp, wf.status());
  WriteJson(ex.resp, 202, wf->ToJson());
}

}  // namespace slipway::http
