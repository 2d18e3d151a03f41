// http/start_workflow_handler.cc: POST /v1/workflows. 201 + Location when created, 200 when
// the same id and the same request already exist, 409 for the same id with another request.
// Ids are scoped by tenant (engine/base/ids.h): "x" and "<tenant>:x" both start "<tenant>:x",
// which the body and Location carry; another tenant's prefix is 400 (field "id"), so a 409
// only ever concerns the caller's own tenant.
#include <algorithm>
#include <array>

#include "engine/base/ids.h"
#include "http/errors.h"
#include "http/handlers.h"
#include "http/views.h"

namespace slipway::http {

using nlohmann::json;

namespace {

Result<engine::StartRequest> ParseStart(ApiServices& s, Exchange& ex) {
  Result<json> body = ReadJsonObject(ex.req, s.limits(), {"type", "tenant", "input", "id"}, false);
  if (!body.ok()) return body.status();
  engine::StartRequest start;
  for (auto [field, out] : {std::pair{"type", &start.type}, std::pair{"tenant", &start.tenant},
                            std::pair{"id", &start.id}}) {
    Result<std::string> v = OptionalString(*body, field, kMaxClientIdLength + 40);
    if (!v.ok()) return v.status();
    *out = *v;
  }
  if (start.type.empty()) return InvalidArgument("type", "type is required");
  if (start.tenant.empty()) return InvalidArgument("tenant", "tenant is required");
  auto input = body->find("input");
  if (input != body->end() && !input->is_null()) {
    if (!input->is_object()) return InvalidArgument("input", "input must be a JSON object");
    start.input = *input;
  }
  Result<std::string> id = ScopeClientWorkflowId(start.tenant, start.id);
  if (!id.ok()) return id.status();
  start.id = *id;
  return start;
}

// Input that only ops may set: the approval policy is the tenant record's (set by ops with a
// tenant_settings workflow), and parent_id marks an engine-made child of a template update.
constexpr std::array<const char*, 4> kOpsOnlyInput = {"require_approval", "approval_timeout_s",
                                                      "lighthouse_thresholds", "parent_id"};

// A tenant starts only the allowed types, and only for itself.
Status AuthorizeStart(ApiServices& s, const Principal& p, const engine::StartRequest& start) {
  if (!p.is_tenant()) return Status::Ok();
  if (p.tenant != start.tenant)
    return PermissionDenied("a tenant token starts only its own workflows");
  const auto& types = s.options.tenant_start_types;
  if (std::find(types.begin(), types.end(), start.type) == types.end()) {
    return PermissionDenied("a tenant token may not start '" + start.type + "' workflows");
  }
  for (const char* key : kOpsOnlyInput) {
    if (start.input.contains(key)) {
      return Status(Code::kPermissionDenied,
                    std::string("a tenant token may not set ") + key + ": ops decide it", key);
    }
  }
  return Status::Ok();
}

}  // namespace

void HandleStartWorkflow(ApiServices& s, Exchange& ex) {
  Result<engine::StartRequest> start = ParseStart(s, ex);
  if (!start.ok()) return WriteError(ex.resp, start.status());
  Status allowed = AuthorizeStart(s, ex.principal, *start);
  if (!allowed.ok()) return WriteError(ex.resp, allowed);
  Result<engine::Workflow> wf = s.engine.Start(*start, ex.caller);
  if (!wf.ok()) return WriteError(ex.resp, wf.status());
  ex.resp.set("Location", "/v1/workflows/" + wf->instance.id);
  ex.resp.set("ETag", ETagFor(wf->instance.version));
  WriteJson(ex.resp, wf->created ? 201 : 200, WorkflowJson(*wf));
}

}  // namespace slipway::http
