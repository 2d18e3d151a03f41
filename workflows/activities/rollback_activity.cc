// workflows/activities/rollback_activity.cc: production rollbacks on Vercel.
#include "workflows/activities/rollback_activity.h"

#include <algorithm>

#include "workflows/activities/activity_util.h"

namespace slipway::workflows {

using nlohmann::json;

namespace {
Result<json> RollBack(const WorkflowDeps& deps, TenantRecords& tenants, const std::string& tenant,
                      const std::string& project, const std::string& to,
                      const std::string& replaced) {
  Status st = deps.vercel->Rollback(project, to);
  if (!st.ok()) return Annotate(st, "roll back to " + to);
  SLIPWAY_RETURN_IF_ERROR(tenants.RecordRollback(tenant, to));
  return json{{"rolled_back", true}, {"deployment_id", to}, {"replaced", replaced}};
}
}  // namespace

Result<json> CompensateActivity::Run(const engine::ActivityCall& call) {
  Result<json> save = OutputOf(call, "save");
  if (!save.ok()) return save.status();
  Result<json> deploy = OutputOf(call, "deploy");
  if (!deploy.ok()) return deploy.status();
  const std::string to = deploy->value("previous_deployment_id", "");
  const std::string replaced = deploy->value("deployment_id", "");
  if (to.empty()) {
    return json{{"rolled_back", false}, {"replaced", replaced},
                {"reason", "no earlier production deployment to go back to"}};
  }
  return RollBack(deps_, tenants_, call.tenant, save->value("project_id", ""), to, replaced);
}

Result<json> ResolveRollbackActivity::Run(const engine::ActivityCall& call) {
  Result<TenantRecord> t = tenants_.Require(call.tenant);
  if (!t.ok()) return t.status();
  std::string to = InputString(call, "deployment_id");
  const std::string current = t->production_deployment;
  const auto& all = t->deployments;
  if (to.empty()) {
    auto it = std::find(all.begin(), all.end(), current);
    if (it == all.end() || it == all.begin()) {
      return FailedPrecondition("tenant " + call.tenant +
                                " has no production deployment before the current one");
    }
    to = *(it - 1);
  } else if (std::find(all.begin(), all.end(), to) == all.end()) {
    return InvalidArgument("deployment_id", "not a production deployment of tenant " + call.tenant);
  }
  return json{{"deployment_id", to}, {"replaced", current}, {"project_id", t->prod_project_id}};
}

Result<json> RollbackActivity::Run(const engine::ActivityCall& call) {
  Result<json> target = OutputOf(call, "resolve");
  if (!target.ok()) return target.status();
  const std::string to = target->value("deployment_id", "");
  const std::string replaced = target->value("replaced", "");
  if (to == replaced) {
    return json{{"rolled_back", false}, {"deployment_id", to},
                {"reason", "already serving production"}};
  }
  return RollBack(deps_, tenants_, call.tenant, target->value("project_id", ""), to, replaced);
}

}  // namespace slipway::workflows
