// workflows/deployment_workflow.h: the "deployment" workflow type, one tenant site release:
//
//   save -> validate -[passed]-> [approval] -> deploy -> verify -> promote -> [domain] -> done
//              \-[failed]-> autofix -> revalidate -[failed, rounds left]-> autofix ...
//   <step> failed  -> <step>_failed  for save, validate, autofix, revalidate, deploy (failed;
//                     nothing was released, production untouched; resume re-runs the step)
//   verify failed  -> verify_failed  (failed; production untouched: nothing to roll back)
//   promote failed -> promote_failed (failed; resume retries the promotion)
//   domain failed  -> domain_failed  (failed; production is live and verified)
// Every failed state's error is {code: "failed", message, state, cause: the step's error}.
// `deploy` builds a STAGED production deployment (not on the production domains), `verify`
// checks it on its own URL, and only then `promote` puts it on the production domains.
// Releases recorded before staged production replay through the legacy rows of
// deployment_table.h (rollback, domain_wait); failures recorded before the <step>_failed rows
// were unhandled (the workflow failed in the step's state) and replay so.
//
// Serialised per tenant together with rollbacks (kDeploySerialGroup: one at a time, FIFO). Input (the tenant is the request's):
//   website_data      object, optional: committed as websiteData.json by `save`; its schema
//                     (WebsiteData in docs/openapi.json) is checked by website_data.h
//   ref               string, optional: the branch (default: the tenant's production branch);
//                     a git branch name (git check-ref-format rules, engine/base/git_names.h)
//   template_ref      string, optional: template files to commit first (template updates);
//                     a branch name or commit sha of the template, same rules
//   custom_domain     string, optional: attached by `domain` after promotion; a host name not
//                     under the base domain. One tenant owns it (domain_records.h): `save`
//                     fails (kPermanent) when another tenant does, `domain` claims it
//   require_approval  bool, ops only: wait for signal "approve" / "reject" before `deploy`
//   approval_timeout_s integer 1..kMaxApprovalTimeoutS, ops only: the approval wait's deadline
//                     (when absent, both come from the tenant record's policy, set by ops
//                     through tenant_settings: see tenant_settings_workflow.h)
//   lighthouse_thresholds object, ops only: verify's Lighthouse minimums per category over the
//                     defaults (when absent: the tenant record's, set through tenant_settings)
//   max_autofix_rounds integer 0-5, optional (default WorkflowOptions::max_autofix_rounds)
//   parent_id         string, ops only: the template update that started it as a child; when
//                     that parent is cancelled, this deployment is cancelled before its next
//                     step up to `deploy` (parent_guard.h). A deployment already live finishes
//                     `domain`/`verify` (and `rollback` when verify fails): cancelling a
//                     rollout never leaves production on an unverified release.
// A build that still fails when the rounds are spent fails the workflow in validate_failed or
// revalidate_failed with the parsed errors (error.cause.details); `resume` then validates the
// branch's head again (a human fixed it).
// A pending custom domain does not hold the deployment (nor the tenant's queue): `domain`
// starts its domain_watch workflow (domain_watch_workflow.h) and the deployment completes with
// the records to set. The result: commits, branches (work, production, production_was,
// production_moved), deployment (id, url, previous_id, staged, promoted, alias_job), domain
// (name, status, dns_records, watch_id), fixes applied, LLM usage, verify, step durations
// (DeploymentResult).
#pragma once

#include <nlohmann/json.hpp>

#include "engine/workflow_type.h"
#include "workflows/deps.h"

namespace slipway::workflows {

inline constexpr const char* kDeploymentType = "deployment";
// The serial group of deployments and rollbacks: one of them per tenant at a time, FIFO. Its
// name keeps the serial key deployments had before rollbacks joined ("deployment:<tenant>").
inline constexpr const char* kDeploySerialGroup = "deployment";

// Activity names (registered by registry.cc).
inline constexpr const char* kSaveActivity = "deployment.save";
inline constexpr const char* kValidateActivity = "deployment.validate";
inline constexpr const char* kAutofixActivity = "deployment.autofix";
inline constexpr const char* kDeployActivity = "deployment.deploy";
inline constexpr const char* kDomainActivity = "deployment.domain";
inline constexpr const char* kVerifyActivity = "deployment.verify";
inline constexpr const char* kPromoteActivity = "deployment.promote";
inline constexpr const char* kCompensateActivity = "deployment.rollback";

engine::WorkflowType DeploymentType(const WorkflowOptions& options);
// The longest approval wait a deployment may ask for (approval_timeout_s: 1..this).
inline constexpr int64_t kMaxApprovalTimeoutS = 7 * 24 * 3600;
// kInvalidArgument naming the field. A custom_domain equal to or under base_domain is refused.
Status ValidateDeploymentInput(const nlohmann::json& input, const std::string& base_domain = "");
nlohmann::json DeploymentResult(const nlohmann::json& outputs, const nlohmann::json& steps);

}  // namespace slipway::workflows
