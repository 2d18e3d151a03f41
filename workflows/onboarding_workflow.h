// workflows/onboarding_workflow.h: the "onboarding" workflow type, a new tenant from nothing:
//
//   account -> repository -> webhook -> dev_project -> dev_deployment -> dev_domain
//           -> prod_project -> welcome_email -> record -> done
//
// The tenant (the request's top-level `tenant`, a lowercase DNS label checked by the engine)
// is refused at `account` when it already has a tenant record. Input: `email` (required, for
// the welcome e-mail), `name` (optional display name). Any step failing after its retries fails
// the workflow there; `resume` continues from that step. welcome_email is skipped (recorded as
// such) while no notifier is configured. Serialised per tenant. Result: repository, projects,
// dev URL and domain, the tenant record, and `editor_access`: the tenant editor's API token
// that `record` mints ({"id", "name", "role", "reveal"}: ops reveal its secret once; it is
// never in the result; the key avoids the words redaction masks, e.g. "token").
//
// A failed or cancelled onboarding does not keep the tenant id: `account` reserves the id for
// its workflow, and a later onboarding of the same tenant takes the reservation over once the
// holder has ended `failed` or `cancelled` without a tenant record (while it is active, the new
// one waits in the tenant's queue). Nothing the first attempt made is deleted: the new attempt
// adopts it through the same look-before-create steps (the repository from the template, the
// projects by name, the webhook by URL), so ops can start over instead of resuming and no
// effect is made twice. The superseded workflow is kept (its history shows what went wrong);
// resumed after the takeover, it fails at its next step instead of acting for the tenant. A
// completed onboarding (a tenant record exists) still refuses any further one.
#pragma once

#include <nlohmann/json.hpp>

#include "engine/workflow_type.h"
#include "workflows/deps.h"

namespace slipway::workflows {

inline constexpr const char* kOnboardingType = "onboarding";

inline constexpr const char* kAccountActivity = "onboarding.account";
inline constexpr const char* kRepositoryActivity = "onboarding.repository";
inline constexpr const char* kWebhookActivity = "onboarding.webhook";
inline constexpr const char* kDevProjectActivity = "onboarding.dev_project";
inline constexpr const char* kDevDeploymentActivity = "onboarding.dev_deployment";
inline constexpr const char* kDevDomainActivity = "onboarding.dev_domain";
inline constexpr const char* kProdProjectActivity = "onboarding.prod_project";
inline constexpr const char* kWelcomeEmailActivity = "onboarding.welcome_email";
inline constexpr const char* kTenantRecordActivity = "onboarding.record";

engine::WorkflowType OnboardingType(const WorkflowOptions& options);
Status ValidateOnboardingInput(const nlohmann::json& input);

}  // namespace slipway::workflows
