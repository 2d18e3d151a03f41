// workflows/activities/rollback_activity.h: putting an earlier production deployment back.
//
// CompensateActivity is the deployment's `rollback` step after a failed `verify`: production
// goes back to deploy's previous_deployment_id (when there was one). RollbackActivity is the
// ops rollback workflow's step: to input.deployment_id, or else to the production deployment
// before the one serving now (tenant record). Both note the change in the tenant record and are
// repeatable (VercelClient::Rollback leaves a deployment that already serves alone).
// Output: rolled_back, deployment_id (now serving), replaced (what served before), reason.
#pragma once

#include <nlohmann/json.hpp>

#include "engine/activity.h"
#include "workflows/deps.h"
#include "workflows/tenant_records.h"

namespace slipway::workflows {

class CompensateActivity : public engine::Activity {
 public:
  CompensateActivity(const WorkflowDeps& deps, TenantRecords& tenants)
      : deps_(deps), tenants_(tenants) {}
  Result<nlohmann::json> Run(const engine::ActivityCall& call) override;

 private:
  const WorkflowDeps& deps_;
  TenantRecords& tenants_;
};

class ResolveRollbackActivity : public engine::Activity {
 public:
  explicit ResolveRollbackActivity(TenantRecords& tenants) : tenants_(tenants) {}
  Result<nlohmann::json> Run(const engine::ActivityCall& call) override;

 private:
  TenantRecords& tenants_;
};

class RollbackActivity : public engine::Activity {
 public:
  RollbackActivity(const WorkflowDeps& deps, TenantRecords& tenants)
      : deps_(deps), tenants_(tenants) {}
  Result<nlohmann::json> Run(const engine::ActivityCall& call) override;

 private:
  const WorkflowDeps& deps_;
  TenantRecords& tenants_;
};

}  // namespace slipway::workflows
