// workflows/activities/save_activity.h: the deployment's `save` step. Commits what this
// deployment brings to the tenant's repository on its branch, in ONE commit: the template's
// files at input.template_ref (template updates; websiteData.json excluded) and
// input.website_data as websiteData.json (the editor's auto-save). Either may be absent; with
// neither, the branch head is deployed as it is.
//
// The branch is input.ref, else the tenant's production branch (default "production"). A
// production branch that does not exist yet is created from the head of the repository's
// default branch first (GitHubClient::CreateBranch, idempotent); an explicit ref that does not
// exist is kPermanent.
//
// Output (persisted keys): repo, repo_full_name, branch, branch_created, project_id,
// template_ref, commit_sha (what to validate), saved (a commit was made). Repeatable: GitHubClient::CommitFiles makes no
// commit when the head already holds these contents; a branch moved meanwhile is kConflict,
// retried on the new head (never forced).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/activity.h"
#include "workflows/deps.h"
#include "workflows/domain_records.h"
#include "workflows/tenant_records.h"

namespace slipway::workflows {

class SaveActivity : public engine::Activity {
 public:
  // With `domains`, a custom_domain another tenant owns fails the step (kPermanent) before
  // anything is committed or deployed; the domain step claims it (deploy_activity.h).
  SaveActivity(const WorkflowDeps& deps, TenantRecords& tenants, DomainRecords* domains = nullptr)
      : deps_(deps), tenants_(tenants), domains_(domains) {}
  Result<nlohmann::json> Run(const engine::ActivityCall& call) override;

 private:
  // The template's files at `ref` (except websiteData.json), path -> content.
  Result<std::map<std::string, std::string>> TemplateFiles(const engine::ActivityCall& call,
                                                           const std::string& ref);
  // kPermanent when input.custom_domain belongs to another tenant (nothing happened yet).
  Status CheckDomainOwner(const engine::ActivityCall& call);
  // Makes sure `branch` exists (see above); returns whether this call created it.
  Result<bool> EnsureBranch(const engine::ActivityCall& call, const TenantRecord& tenant,
                            const std::string& branch);

  const WorkflowDeps& deps_;
  TenantRecords& tenants_;
  DomainRecords* domains_;
};

// The tenant's production branch: its record's, else the configured default.
std::string ProductionBranch(const TenantRecord& tenant, const WorkflowOptions& options);
// The branch a deployment targets: input.ref, else the tenant's production branch.
std::string DeploymentBranch(const engine::ActivityCall& call, const TenantRecord& tenant,
                             const WorkflowOptions& options);

}  // namespace slipway::workflows
