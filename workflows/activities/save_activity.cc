// workflows/activities/save_activity.cc: commits template files and website data.
#include "workflows/activities/save_activity.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <fstream>
#include <sstream>

#include "activities/build/source_archive.h"
#include "engine/base/git_names.h"
#include "workflows/activities/activity_util.h"

namespace slipway::workflows {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {
constexpr const char* kWebsiteDataPath = "websiteData.json";

Result<std::string> ReadWhole(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return Internal("cannot read " + p.filename().string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Files under root, relative paths sorted (directory order is not stable), without
// websiteData.json (the tenant's content) and build or VCS directories.
std::vector<std::string> ListFiles(const std::string& root) {
  std::vector<std::string> out;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
       ++it) {
    std::string rel = fs::relative(it->path(), root).generic_string();
    if (it->is_directory() && (rel == "node_modules" || rel == ".git")) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file() && rel != kWebsiteDataPath) out.push_back(rel);
  }
  std::sort(out.begin(), out.end());
  return out;
}
}  // namespace

std::string ProductionBranch(const TenantRecord& tenant, const WorkflowOptions& options) {
  return tenant.branch.empty() ? options.default_branch : tenant.branch;
}

std::string DeploymentBranch(const engine::ActivityCall& call, const TenantRecord& tenant,
                             const WorkflowOptions& options) {
  std::string ref = InputString(call, "ref");
  return ref.empty() ? ProductionBranch(tenant, options) : ref;
}

Result<std::map<std::string, std::string>> SaveActivity::TemplateFiles(
    const engine::ActivityCall& call, const std::string& ref) {
  if (deps_.template_github == nullptr || deps_.runner == nullptr) {
    return FailedPrecondition("template updates need the template client and a process runner");
  }
  const std::string& tmpl = deps_.config.github.template_repo;
  Result<std::string> tarball = deps_.template_github->DownloadTarball(tmpl, ref);
  if (!tarball.ok()) return Annotate(tarball.status(), "template tarball at " + ref);
  Result<TarballOnDisk> file = WriteTarball(*tarball);
  if (!file.ok()) return file.status();
  activities::build::ExtractOptions eo;
  eo.cancelled = [&call] { return call.cancelled(); };
  auto src = activities::build::ExtractTarball(*deps_.runner, file->path, eo);
  if (!src.ok()) return src.status();
  std::map<std::string, std::string> files;
  for (const std::string& path : ListFiles(src->source_dir)) {
    Result<std::string> content = ReadWhole(fs::path(src->source_dir) / path);
    if (!content.ok()) return content.status();
    files[path] = *content;
  }
  return files;
}

Result<bool> SaveActivity::EnsureBranch(const TenantRecord& tenant, const std::string& branch) {
  Result<std::string> head = deps_.github->GetBranchHead(tenant.repo, branch);
  if (head.ok()) return false;
  if (head.status().code() != Code::kNotFound) return Annotate(head.status(), "branch " + branch);
  std::string from = tenant.default_branch;
  if (from.empty()) {
    Result<activities::GitHubRepo> repo = deps_.github->GetRepo(tenant.repo);
    if (!repo.ok()) return Annotate(repo.status(), "repository " + tenant.repo);
    from = repo->default_branch;
  }
  if (from == branch) return Annotate(head.status(), "branch " + branch);
  Result<std::string> base = deps_.github->GetBranchHead(tenant.repo, from);
  if (!base.ok()) return Annotate(base.status(), "default branch " + from);
  Result<bool> created = deps_.github->CreateBranch(tenant.repo, branch, *base);
  if (!created.ok()) return Annotate(created.status(), "create branch " + branch + " from " + from);
  return *created;
}

Status SaveActivity::CheckDomainOwner(const engine::ActivityCall& call) {
  const std::string domain = InputString(call, "custom_domain");
  if (domains_ == nullptr || domain.empty()) return Status::Ok();
  Result<std::optional<std::string>> owner = domains_->Owner(domain);
  if (!owner.ok()) return owner.status();
  if (owner->has_value() && **owner != call.tenant) {
    return Permanent("domain " + domain + " belongs to another tenant; ops can move it "
                     "(domain_transfer)");
  }
  return Status::Ok();
}

Result<std::string> SaveActivity::SourceHead(const engine::ActivityCall& call,
                                             const TenantRecord& tenant) {
  const std::string source = DeploymentBranch(call, tenant, deps_.options);
  if (source == ProductionBranch(tenant, deps_.options)) return std::string();
  Result<std::string> head = deps_.github->GetBranchHead(tenant.repo, source);
  if (!head.ok() && head.status().code() == Code::kNotFound) {
    return Permanent("branch " + source + " does not exist in " + tenant.repo_full_name);
  }
  if (!head.ok()) return Annotate(head.status(), "branch " + source);
  return head;
}

Result<json> SaveActivity::Run(const engine::ActivityCall& call) {
  Result<TenantRecord> tenant = tenants_.Require(call.tenant);
  if (!tenant.ok()) return tenant.status();
  SLIPWAY_RETURN_IF_ERROR(CheckDomainOwner(call));
  const std::string production = ProductionBranch(*tenant, deps_.options);
  Result<std::string> source = SourceHead(call, *tenant);  // first: a bad ref changes nothing
  if (!source.ok()) return source.status();
  Result<bool> production_created = EnsureBranch(*tenant, production);
  if (!production_created.ok()) return production_created.status();
  Result<std::string> base = deps_.github->GetBranchHead(tenant->repo, production);
  if (!base.ok()) return Annotate(base.status(), "branch " + production);
  if (source->empty()) source = *base;
  const std::string branch = WorkBranch(call.workflow_id);
  Result<bool> work_created = deps_.github->CreateBranch(tenant->repo, branch, *source);
  if (!work_created.ok()) return Annotate(work_created.status(), "create branch " + branch);
  std::map<std::string, std::string> files;
  const std::string template_ref = InputString(call, "template_ref");
  if (!template_ref.empty()) {
    Result<std::map<std::string, std::string>> t = TemplateFiles(call, template_ref);
    if (!t.ok()) return t.status();
    files = std::move(*t);
  }
  if (call.input.contains("website_data")) {
    files[kWebsiteDataPath] = call.input["website_data"].dump(2) + "\n";
  }
  json out = {{"repo", tenant->repo},       {"repo_full_name", tenant->repo_full_name},
              {"branch", branch},           {"project_id", tenant->prod_project_id},
              {"saved", false},             {"template_ref", template_ref},
              {"branch_created", *production_created},
              {"work_branch_created", *work_created},
              {"production_branch", production}, {"base_sha", *base},
              {"source_ref", DeploymentBranch(call, *tenant, deps_.options)},
              {"source_sha", *source}};
  if (files.empty()) {  // nothing to commit: deploy the work branch as it is
    Result<std::string> head = deps_.github->GetBranchHead(tenant->repo, branch);
    if (!head.ok()) return Annotate(head.status(), "branch " + branch);
    out["commit_sha"] = *head;
    return out;
  }
  activities::CommitFilesRequest req;
  req.repo = tenant->repo;
  req.branch = branch;
  req.files = std::move(files);
  req.message = template_ref.empty() ? "Save website data"
                                     : "Update from the template (" + template_ref + ")";
  req.idempotency_key = call.idempotency_key;
  Result<activities::CommitFilesResult> c = deps_.github->CommitFiles(req);
  if (!c.ok()) return Annotate(c.status(), "commit to " + branch);
  out["saved"] = c->changed;
  out["commit_sha"] = c->commit_sha;
  return out;
}

std::string WorkBranch(const std::string& workflow_id) {
  return BranchNameFor("slipway/", workflow_id);
}

}  // namespace slipway::workflows
