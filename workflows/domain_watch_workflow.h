// workflows/domain_watch_workflow.h: the "domain_watch" workflow type: watches a custom domain
// that a deployment attached to its tenant's production project while its DNS records were
// not set yet, so that the deployment can complete at once (production is already live and
// verified on its Vercel URL) and the tenant's deployment queue moves on.
//
//   check -[verified]-> done
//   check failed (deadline passed, or the domain is gone) -> expired (failed; resume rechecks)
//
// `check` asks Vercel to verify the domain; still pending is NotDoneYet (engine/activity.h:
// {domain, state "pending", dns_records, message}), so one attempt looks again on durable
// timers: first after WorkflowOptions::domain_recheck_ms, then twice as long each time up to
// kMaxDomainRecheckMs, until WorkflowOptions::domain_deadline_ms from the first check (then
// deadline_exceeded, its message naming the DNS records). History: one step_progress, not one
// event per recheck. Not serialised: it never holds the tenant's deployment queue. Started by the
// deployment's `domain` step as "<deployment id>:domain" (a second ':' no client can send).
// Input: domain, project_id, parent_id (the deployment). Result: domain, status "verified".
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "engine/workflow_type.h"
#include "workflows/deps.h"

namespace slipway::workflows {

inline constexpr const char* kDomainWatchType = "domain_watch";
inline constexpr const char* kDomainCheckActivity = "domain_watch.check";
inline constexpr int64_t kMaxDomainRecheckMs = 30 * 60 * 1000;

engine::WorkflowType DomainWatchType(const WorkflowOptions& options);
// kInvalidArgument naming the field: domain (a host name), project_id (a Vercel id), parent_id.
Status ValidateDomainWatchInput(const nlohmann::json& input);
// The id of the watch a deployment starts: "<deployment id>:domain", in the tenant's namespace
// ("<tenant>:" is put first when the deployment's id lacks it).
std::string DomainWatchId(const std::string& tenant, const std::string& deployment_id);

}  // namespace slipway::workflows
