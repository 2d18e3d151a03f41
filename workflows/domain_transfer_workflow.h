// workflows/domain_transfer_workflow.h: the "domain_transfer" workflow type (ops only): moves
// a custom domain to the workflow's tenant, in our records and on Vercel.
//
//   transfer -> detach -> attach -> done
//
// transfer  moves the ownership record (domain_records.h) and notes the previous owner;
// detach    removes the domain from the previous owner's production Vercel project
//           (DELETE /v9/projects/{p}/domains/{d});
// attach    adds it to the new owner's production project (POST /v10/projects/{p}/domains);
//           until the tenant's DNS proves ownership it stays unverified, with the records to
//           set in the result (the new owner's next deployment with it as custom_domain waits
//           for them, as for any custom domain).
// Each step is durable and safe to repeat after a crash: a repeated transfer returns the same
// previous owner, a domain already removed (404) or already on the project counts as done.
// A side with no production project (no previous owner, or a tenant not onboarded) is skipped
// and says so in its output. Every step sits in the workflow's history with who asked.
// The Vercel steps are in activities/domain_move_activities.h.
// Tenant tokens cannot start it (they may start only "deployment", http/http_api.h).
//
// Input: {"domain": "<host name>"}; the new owner is the workflow's `tenant`. Result: domain,
// tenant, previous_tenant ("" when nobody owned it), detached ({project_id, removed} or
// {skipped}), attached ({project_id, created, verified, dns_records} or {skipped}).
#pragma once

#include <nlohmann/json.hpp>

#include "engine/activity.h"
#include "engine/workflow_type.h"
#include "workflows/deps.h"
#include "workflows/domain_records.h"

namespace slipway::workflows {

inline constexpr const char* kDomainTransferType = "domain_transfer";
inline constexpr const char* kDomainTransferActivity = "domain_transfer.transfer";

engine::WorkflowType DomainTransferType(const WorkflowOptions& options);
// kInvalidArgument naming `domain`: a host name, not under base_domain.
Status ValidateDomainTransferInput(const nlohmann::json& input, const std::string& base_domain);

// transfer: the ownership record.
class DomainTransferActivity : public engine::Activity {
 public:
  explicit DomainTransferActivity(DomainRecords& domains) : domains_(domains) {}
  Result<nlohmann::json> Run(const engine::ActivityCall& call) override;

 private:
  DomainRecords& domains_;
};

}  // namespace slipway::workflows
