// workflows/activities/save_activity.h: the deployment's `save` step. Commits what this
// deployment brings to the tenant's repository on the deployment's own WORK BRANCH
// (`slipway/<workflow id>`, ':' mapped to '/': WorkBranch), in ONE commit: the template's
// files at input.template_ref (template updates; websiteData.json excluded) and
// input.website_data as websiteData.json (the editor's auto-save). Either may be absent; with
// neither, the work branch is deployed as it was cut. The production branch is never written
// here: `promote` fast-forwards it to the deployed commit once verify passed.
//
// The work branch is cut from the source: input.ref, else the tenant's production branch
// (default "production"). A production branch that does not exist yet is created from the head
// of the repository's default branch first (GitHubClient::CreateBranch, idempotent); an
// explicit ref that does not exist is kPermanent. The production head seen here (base_sha) is
// what `promote` compares and sets.
//
// Output (persisted keys): repo, repo_full_name, branch (the work branch), branch_created (the
// production branch was created), work_branch_created, production_branch, base_sha,
// source_ref, source_sha, project_id, template_ref, commit_sha (what to validate), saved (a
// commit was made). Repeatable: the work branch is created once (an existing one is kept),
// GitHubClient::CommitFiles makes no commit when the head already holds these contents; a
// branch moved meanwhile is kConflict, retried on the new head (never forced).
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
  Result<bool> EnsureBranch(const TenantRecord& tenant, const std::string& branch);
  // The head of input.ref when it names another branch than production ("" for production);
  // kPermanent when that branch does not exist.
  Result<std::string> SourceHead(const engine::ActivityCall& call, const TenantRecord& tenant);

  const WorkflowDeps& deps_;
  TenantRecords& tenants_;
  DomainRecords* domains_;
};

// The tenant's production branch: its record's, else the configured default.
std::string ProductionBranch(const TenantRecord& tenant, const WorkflowOptions& options);
// The work branch of a deployment: "slipway/<workflow id>" as a valid ref (BranchNameFor).
std::string WorkBranch(const std::string& workflow_id);
// The branch a deployment's work branch is cut from: input.ref, else the production branch.
std::string DeploymentBranch(const engine::ActivityCall& call, const TenantRecord& tenant,
                             const WorkflowOptions& options);

}  // namespace slipway::workflows
