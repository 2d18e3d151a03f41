// http/resume_workflow_handler.cc: POST /v1/workflows/{id}/resume {"reason"?} -> 202; only a
// failed workflow resumes (409 otherwise). Ops only (the route's access).
#include "http/errors.h"
#include "http/handlers.h"

namespace slipway::http {

void HandleResumeWorkflow(ApiServices& s, Exchange& ex) {
  HandleReasonVerb(s, ex, &engine::Engine::Resume);
}

}  // namespace slipway::http
