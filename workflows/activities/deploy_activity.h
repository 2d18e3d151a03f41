// workflows/activities/deploy_activity.h: the deployment's `deploy` step.
//
// DeployActivity creates a STAGED production deployment of the validated commit on the tenant's
// production project (target production, autoAssignCustomDomains false: built with production's
// settings, reachable on its own URL, not on the production domains) and waits until Vercel
// reports READY, without holding a worker: while it builds, the step answers NotDoneYet
// (engine/activity.h) with {deployment_id, state: readyState} and looks again after
// WorkflowOptions::deploy_poll_interval_ms; the step's attempt timeout bounds the wait. Production is not touched: `promote`
// (promote_activity.h) does that after `verify` passed. Vercel's deployment key is the step's idempotency key plus "#d<n>": an
// attempt first finds the deployments earlier attempts made; one still building or READY is
// taken over, one that ended in ERROR makes the attempt try the next <n>. So a retry never makes
// a second deployment for the same try, and a deployment that failed is retried with a new one.
// ERROR/CANCELED is kUnavailable (retried per the step's policy) carrying Vercel's error.
// Output: deployment_id, url (its own origin), ready_state, ready_substate, sha, staged (true),
// previous_deployment_id (what serves production now), created.
//
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "engine/activity.h"
#include "workflows/deps.h"
#include "workflows/tenant_records.h"

namespace slipway::workflows {

// The production project's Ignored Build Step (Vercel runs it before every build; exit 0
// skips it): only production builds of a deployment's work branch go on, i.e. the staged
// deployments `deploy` asks for. A push to any branch (the production branch included: it
// would go live unverified) builds nothing: a Vercel project linked to a repository otherwise
// deploys every push.
inline constexpr const char* kReleaseBuildsOnly =
    "[ \"$VERCEL_ENV\" = production ] && case \"$VERCEL_GIT_COMMIT_REF\" in slipway/*) exit 1;; "
    "esac; exit 0";

class DeployActivity : public engine::Activity {
 public:
  DeployActivity(const WorkflowDeps& deps, TenantRecords& tenants) : deps_(deps), tenants_(tenants) {}
  Result<nlohmann::json> Run(const engine::ActivityCall& call) override;

 private:
  const WorkflowDeps& deps_;
  TenantRecords& tenants_;
};

// One look at the deployment of this attempt. The first look (no progress) creates the
// deployment `spec` describes, or finds the one an earlier attempt made, keyed by
// call.idempotency_key + "#d<n>" (see DeployActivity); later looks read the deployment the
// progress names. Returns it READY or still building (then answer DeploymentNotReady). A
// deployment that ended in ERROR/CANCELED is kUnavailable carrying Vercel's error.
Result<activities::VercelDeployment> LookAtDeployment(const WorkflowDeps& deps,
                                                      const engine::ActivityCall& call,
                                                      activities::DeploymentSpec spec);
// NotDoneYet for a deployment still building: look again after deploy_poll_interval_ms.
nlohmann::json DeploymentNotReady(const WorkflowDeps& deps,
                                  const activities::VercelDeployment& d);

// The commit the deployment validated: revalidate's when it ran, else validate's.
std::string ValidatedSha(const engine::ActivityCall& call);
// DNS records as JSON (persisted keys: type, domain, value, reason).
nlohmann::json DnsRecordsJson(const std::vector<activities::DnsRecord>& records);

}  // namespace slipway::workflows
