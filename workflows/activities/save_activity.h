// workflows/activities/save_activity.h: the deployment's `save` step. Commits what this
// deployment brings to the tenant's repository on its branch: the template's files at
// input.template_ref (template updates), then input.website_data as websiteData.json (the
// editor's auto-save). Either may be absent; with neither, the branch head is deployed as is.
//
// Output (persisted keys): repo, repo_full_name, branch, project_id, commit_sha (what to
// validate), saved (websiteData.json changed), template_files (paths the template changed).
// Repeatable: GitHubClient::PutFile makes no commit when the file already has the content.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/activity.h"
#include "workflows/deps.h"
#include "workflows/tenant_records.h"

namespace slipway::workflows {

class SaveActivity : public engine::Activity {
 public:
  SaveActivity(const WorkflowDeps& deps, TenantRecords& tenants) : deps_(deps), tenants_(tenants) {}
  Result<nlohmann::json> Run(const engine::ActivityCall& call) override;

 private:
  // Copies the template's files at `ref` (except websiteData.json) onto the branch; returns
  // the paths that changed.
  Result<std::vector<std::string>> SyncTemplate(const engine::ActivityCall& call,
                                                const TenantRecord& tenant,
                                                const std::string& branch,
                                                const std::string& ref);

  const WorkflowDeps& deps_;
  TenantRecords& tenants_;
};

// The branch a deployment targets: input.ref, else the tenant's production branch, else the
// configured default.
std::string DeploymentBranch(const engine::ActivityCall& call, const TenantRecord& tenant,
                             const WorkflowOptions& options);

}  // namespace slipway::workflows
