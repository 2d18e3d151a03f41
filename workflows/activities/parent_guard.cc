// workflows/activities/parent_guard.cc: cancels a child whose parent was cancelled.
#include "workflows/activities/parent_guard.h"

#include "engine/transition.h"
#include "workflows/activities/activity_util.h"

namespace slipway::workflows {

using nlohmann::json;

std::string ParentCancelledReason(const std::string& parent_id) {
  return "parent " + parent_id + " cancelled";
}

Result<json> ParentCancelGuard::Run(const engine::ActivityCall& call) {
  const std::string parent = InputString(call, kParentIdKey);
  if (parent.empty()) return inner_.Run(call);
  Result<engine::Workflow> p = engine_.Get(parent);
  if (!p.ok() && p.status().retryable()) return Annotate(p.status(), "parent " + parent);
  const std::string st = p.ok() ? p->instance.status : "";
  if (st != engine::status::kCancelling && st != engine::status::kCancelled) {
    return inner_.Run(call);
  }
  const std::string reason = ParentCancelledReason(parent);
  Result<engine::Workflow> self =
      engine_.Cancel(call.workflow_id, engine::Caller("workflow:" + parent, "", "", reason));
  // kFailedPrecondition: already cancelling (a concurrent cancel); the outcome below ends it.
  if (!self.ok() && self.status().code() != Code::kFailedPrecondition) {
    return Annotate(self.status(), "cancel after " + reason);
  }
  return Cancelled(reason);
}

}  // namespace slipway::workflows
