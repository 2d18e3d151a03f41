// workflows/activities/domain_move_activities.h: the Vercel steps of the ops domain transfer
// (domain_transfer_workflow.h): detach the domain from the previous owner's production project
// and attach it to the new owner's. Both read the transfer step's output (domain, previous
// owner) and the tenant records; both are safe to repeat (VercelClient::RemoveDomain and
// AddDomain are). Thread-safe as their dependencies are.
#pragma once

#include <nlohmann/json.hpp>

#include "engine/activity.h"
#include "workflows/deps.h"
#include "workflows/tenant_records.h"

namespace slipway::workflows {

inline constexpr const char* kDomainDetachActivity = "domain_transfer.detach";
inline constexpr const char* kDomainAttachActivity = "domain_transfer.attach";

// detach: off the previous owner's production project.
class DomainDetachActivity : public engine::Activity {
 public:
  DomainDetachActivity(const WorkflowDeps& deps, TenantRecords& tenants)
      : deps_(deps), tenants_(tenants) {}
  Result<nlohmann::json> Run(const engine::ActivityCall& call) override;

 private:
  const WorkflowDeps& deps_;
  TenantRecords& tenants_;
};

// attach: onto the new owner's production project.
class DomainAttachActivity : public engine::Activity {
 public:
  DomainAttachActivity(const WorkflowDeps& deps, TenantRecords& tenants)
      : deps_(deps), tenants_(tenants) {}
  Result<nlohmann::json> Run(const engine::ActivityCall& call) override;

 private:
  const WorkflowDeps& deps_;
  TenantRecords& tenants_;
};

}  // namespace slipway::workflows
