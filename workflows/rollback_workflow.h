// workflows/rollback_workflow.h: the "rollback" workflow type (ops): puts a tenant's previous
// production deployment back, or the one named by input.deployment_id.
//
//   resolve -> rollback -> done
//
// `resolve` reads the tenant record and records the target, so a repeated `rollback` attempt
// acts on the same deployment. Serialised per tenant with deployments (kDeploySerialGroup): a
// rollback never runs while a deployment of its tenant does, and queues behind it. Result: deployment_id
// now serving production, replaced (what served before), rolled_back.
#pragma once

#include <nlohmann/json.hpp>

#include "engine/workflow_type.h"
#include "workflows/deps.h"

namespace slipway::workflows {

inline constexpr const char* kRollbackType = "rollback";
inline constexpr const char* kResolveRollbackActivity = "rollback.resolve";
inline constexpr const char* kRollbackActivity = "rollback.rollback";

engine::WorkflowType RollbackType(const WorkflowOptions& options);
Status ValidateRollbackInput(const nlohmann::json& input);

}  // namespace slipway::workflows
