// workflows/tenant_settings_workflow.h: the tenant's approval policy, set by ops and applied to
// every deployment of that tenant.
//
// Setting it: the "tenant_settings" workflow type (ops only: tenant tokens start only the types
// in ApiOptions::tenant_start_types, "deployment" by default), started for the tenant with input
//   require_approval   bool, optional
//   approval_timeout_s integer 0..kMaxApprovalTimeoutS (7 days), optional; 0 = no deadline
//   lighthouse_thresholds object, optional: Lighthouse category id -> minimum 0..100 for the
//                      deployments' verify (replaces the tenant's previous ones; {} = defaults)
// (at least one of them). Its one step `apply` writes them to the tenant record, so the change
// and who asked for it stay in that workflow's history. A tenant that is not onboarded fails it.
//
//   apply -> done        result: {require_approval, approval_timeout_s} as now recorded
//
// Applying it: a deployment's prepare_input (ApprovalPolicyInput) copies the record's policy
// and Lighthouse thresholds into the deployment's stored input when the input does not set them, so the approval gate and
// its deadline are fixed at start, visible in GET, and replay routes the same way. Only ops may
// put those keys in a deployment's input (the start handler refuses them from a tenant token).
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/activity.h"
#include "engine/workflow_type.h"
#include "workflows/deployment_workflow.h"  // kMaxApprovalTimeoutS
#include "workflows/deps.h"
#include "workflows/tenant_records.h"

namespace slipway::workflows {

inline constexpr const char* kTenantSettingsType = "tenant_settings";
inline constexpr const char* kApplyTenantSettingsActivity = "tenant_settings.apply";

engine::WorkflowType TenantSettingsType(const WorkflowOptions& options);
Status ValidateTenantSettingsInput(const nlohmann::json& input);

// Writes the input's policy to the tenant record. Output: the policy as now recorded.
class ApplyTenantSettingsActivity : public engine::Activity {
 public:
  explicit ApplyTenantSettingsActivity(TenantRecords& tenants) : tenants_(tenants) {}
  Result<nlohmann::json> Run(const engine::ActivityCall& call) override;

 private:
  TenantRecords& tenants_;
};

// The deployment's prepare_input: `input` plus the tenant record's require_approval and
// approval_timeout_s where the input has none. A tenant without a record: `input` unchanged.
// Errors: the store's (e.g. kUnavailable).
std::function<Result<nlohmann::json>(const std::string&, const nlohmann::json&)>
ApprovalPolicyInput(TenantRecords& tenants);

}  // namespace slipway::workflows
