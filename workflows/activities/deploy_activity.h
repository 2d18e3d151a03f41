// workflows/activities/deploy_activity.h: the deployment's `deploy` step.
//
// DeployActivity creates a STAGED production deployment of the validated commit on the tenant's
// production project (target production, autoAssignCustomDomains false: built with production's
// settings, reachable on its own URL, not on the production domains) and waits until Vercel
// reports READY, without holding a worker: while it builds, the step answers NotDoneYet
// (engine/activity.h) with {deployment_id, state: readyState} and looks again after
// WorkflowOptions::deploy_poll_interval_ms; the step's attempt timeout bounds the wait.
// Production is not touched: `promote` (promote_activity.h) does that after `verify` passed.
// Vercel's deployment key is the step's idempotency key plus "#d1": an attempt first finds the
// deployment an earlier attempt made and takes it over (still building or READY), so retries
// never make a second deployment for the same try. A deployment that ends in ERROR, CANCELED or
// BLOCKED is kPermanent (a build that failed on Vercel fails again: one deployment, not one per
// retry), its message and details carrying the deployment id, state, Vercel's errorCode and
// errorMessage; ops' resume (a new idempotency key) makes a new deployment. Histories from
// before made #d2, #d3... after a failed #d<n>: the newest is taken over.
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
// deploys every push. Vercel runs this command before every build of a Git-linked project,
// whoever asked for it (push, deploy hook, API), and exit 0 cancels the build: so the command
// itself lets the API's staged builds (production, slipway/*) through. git.deploymentEnabled
// would stop only push deployments and lives in the repository's vercel.json (tenant-editable),
// so it is not used. Docs: https://vercel.com/docs/project-configuration/project-settings
// (Ignored Build Step), https://vercel.com/guides/how-do-i-use-the-ignored-build-step-field-on-vercel,
// https://vercel.com/docs/project-configuration/git-configuration (git.deploymentEnabled).
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
// deployment `spec` describes, or finds the one an earlier attempt made (see DeployActivity);
// later looks read the deployment the progress names. Returns it READY or still building (then
// answer DeploymentNotReady). A deployment that ended in ERROR/CANCELED/BLOCKED is kPermanent
// carrying Vercel's error (details: deployment_id, ready_state, error_code, error_message).
Result<activities::VercelDeployment> LookAtDeployment(const WorkflowDeps& deps,
                                                      const engine::ActivityCall& call,
                                                      activities::DeploymentSpec spec);
// NotDoneYet for a deployment still building: look again after DeployLookDelayMs.
nlohmann::json DeploymentNotReady(const WorkflowDeps& deps, const engine::ActivityCall& call,
                                  const activities::VercelDeployment& d);
// The wait before the next look at a build, after `looks` looks of this attempt: the first
// four after deploy_poll_interval_ms, then each 25 % longer, up to deploy_poll_max_interval_ms.
int64_t DeployLookDelayMs(const WorkflowOptions& options, int looks);

// The commit the deployment validated: revalidate's when it ran, else validate's.
std::string ValidatedSha(const engine::ActivityCall& call);
// DNS records as JSON (persisted keys: type, domain, value, reason).
nlohmann::json DnsRecordsJson(const std::vector<activities::DnsRecord>& records);

}  // namespace slipway::workflows
