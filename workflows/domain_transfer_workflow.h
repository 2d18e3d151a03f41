// workflows/domain_transfer_workflow.h: the "domain_transfer" workflow type (ops only): moves
// a custom domain's ownership (domain_records.h) to the workflow's tenant.
//
//   transfer -> done
//
// Input: {"domain": "<host name>"}; the new owner is the workflow's `tenant`. The move is a
// durable step, so it sits in the workflow's history with who asked. Tenant tokens cannot
// start it (they may start only "deployment", http/http_api.h). The domain stays attached to
// the old owner's Vercel project until ops removes it there; the new owner's next deployment
// then attaches it. Result: domain, tenant, previous_tenant ("" when nobody owned it).
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

class DomainTransferActivity : public engine::Activity {
 public:
  explicit DomainTransferActivity(DomainRecords& domains) : domains_(domains) {}
  Result<nlohmann::json> Run(const engine::ActivityCall& call) override;

 private:
  DomainRecords& domains_;
};

}  // namespace slipway::workflows
