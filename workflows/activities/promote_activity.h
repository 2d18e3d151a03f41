// workflows/activities/promote_activity.h: the deployment's `promote` step, run only after
// `verify` passed on the staged deployment's own URL.
//
// PromoteActivity first moves the tenant's production branch from the head `save` saw
// (base_sha) to the deployed, verified commit: a compare-and-set
// (GitHubClient::FastForwardBranch, never forced). A branch that moved meanwhile (a human
// push) fails the step with kPermanent naming both shas, BEFORE anything is live: production
// serves what it served and the pushed commit stays where it is. It then puts the staged
// deployment `deploy` made on the production domains
// (VercelClient::Promote) and confirms the move: it looks at the project's lastAliasRequest
// until the job that moves the aliases to this deployment has succeeded, without holding a
// worker (NotDoneYet with {deployment_id, state: jobStatus, branch_moved} every
// deploy_poll_interval_ms; the step's attempt timeout bounds the wait; a failed job is
// kUnavailable, retried by the step's policy). It then notes the deployment in the tenant
// record. Repeatable: a deployment that already serves production, or whose alias job is
// already under way, is not promoted again.
// Last, the editor's branch (`main`) gets the released commit (editor_sync.h: fast-forward,
// else a merge commit, else a reported conflict; never a failed release).
// Output: deployment_id, promoted (true), alias_job (jobStatus), production_branch,
// branch_sha, branch_moved (false when an earlier attempt moved it), previous_deployment_id,
// editor_branch (SyncEditorBranch's output).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "engine/activity.h"
#include "workflows/deps.h"
#include "workflows/tenant_records.h"

namespace slipway::workflows {

class PromoteActivity : public engine::Activity {
 public:
  PromoteActivity(const WorkflowDeps& deps, TenantRecords& tenants)
      : deps_(deps), tenants_(tenants) {}
  Result<nlohmann::json> Run(const engine::ActivityCall& call) override;

 private:
  // Promotes `deployment_id` unless it serves already or its alias job is under way.
  Status StartPromote(const std::string& project_id, const std::string& deployment_id);
  // One look at the project's alias job for `deployment_id`: true once it has succeeded, false
  // while under way; *job is the job's status. kUnavailable when it failed or production
  // was moved elsewhere meanwhile.
  Result<bool> AliasJobDone(const std::string& project_id, const std::string& deployment_id,
                            std::string* job);

  // The compare-and-set above; whether this call moved the branch.
  Result<bool> MoveProductionBranch(const nlohmann::json& save, const std::string& sha,
                                    const std::string& serving);

  const WorkflowDeps& deps_;
  TenantRecords& tenants_;
};

}  // namespace slipway::workflows
