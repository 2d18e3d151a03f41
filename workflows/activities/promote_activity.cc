// workflows/activities/promote_activity.cc: promoting a verified staged deployment.
#include "workflows/activities/promote_activity.h"

#include "workflows/activities/activity_util.h"
#include "workflows/activities/editor_sync.h"
#include "workflows/webhook_secrets.h"

namespace slipway::workflows {

using nlohmann::json;

namespace {

bool InFlightOrDone(const activities::AliasRequest& a, const std::string& id) {
  return a.to_deployment_id == id && !a.Failed() && !a.job_status.empty() &&
         a.job_status != "skipped";
}

bool Serving(const activities::VercelProject& p, const std::string& id) {
  const activities::AliasRequest& a = p.last_alias_request;
  return p.production_deployment_id == id && (a.to_deployment_id != id || a.Done());
}

}  // namespace

Status PromoteActivity::StartPromote(const std::string& project_id, const std::string& id) {
  Result<activities::VercelProject> p = deps_.vercel->GetProject(project_id);
  if (!p.ok()) return Annotate(p.status(), "project " + project_id);
  if (Serving(*p, id) || InFlightOrDone(p->last_alias_request, id)) return Status::Ok();
  return Annotate(deps_.vercel->Promote(project_id, id), "promote " + id);
}

Result<bool> PromoteActivity::AliasJobDone(const std::string& project_id, const std::string& id,
                                           std::string* job) {
  Result<activities::VercelProject> p = deps_.vercel->GetProject(project_id);
  if (!p.ok()) return Annotate(p.status(), "project " + project_id);
  const activities::AliasRequest& a = p->last_alias_request;
  if (Serving(*p, id)) {
    *job = "succeeded";
    return true;
  }
  if (a.to_deployment_id != id) {
    return Unavailable("production of " + project_id + " was moved to " + a.to_deployment_id +
                       " (" + a.type + ") while promoting " + id);
  }
  if (a.Failed()) return Unavailable("Vercel's alias job promoting " + id + " failed");
  *job = a.job_status.empty() ? "pending" : a.job_status;
  return false;
}

Result<bool> PromoteActivity::MoveProductionBranch(const json& save, const std::string& sha,
                                                  const std::string& serving) {
  const std::string branch = save.value("production_branch", "");
  const std::string base = save.value("base_sha", "");
  if (branch.empty() || base.empty()) return Internal("save recorded no production branch");
  Result<bool> moved =
      deps_.github->FastForwardBranch(save.value("repo", ""), branch, base, sha);
  if (moved.ok() || moved.status().code() != Code::kConflict) {
    return moved.ok() ? moved : Result<bool>(Annotate(moved.status(), "branch " + branch));
  }
  json details = {{"production_branch", branch}, {"expected_sha", base},
                  {"deployed_sha", sha}, {"production_deployment", serving}};
  return Permanent("the production branch " + branch + " moved since this deployment started " +
                   "(a push outside Slipway?): " + moved.status().message() +
                   ". Nothing was promoted: production still serves " +
                   (serving.empty() ? std::string("what it served") : serving) +
                   "; deploy again to release both.")
      .WithDetails(details.dump());
}

Result<json> PromoteActivity::Run(const engine::ActivityCall& call) {
  Result<json> save = OutputOf(call, "save");
  if (!save.ok()) return save.status();
  Result<json> deploy = OutputOf(call, "deploy");
  if (!deploy.ok()) return deploy.status();
  const std::string project = save->value("project_id", "");
  const std::string id = deploy->value("deployment_id", "");
  if (id.empty()) return Internal("promote ran before a staged deployment");
  // Later looks of this attempt (NotDoneYet below) only watch the alias job: the first look
  // moved the branch and asked for the promotion.
  const bool first_look = !call.progress.is_object() || !call.progress.contains("branch_moved");
  bool moved = first_look ? false : call.progress.value("branch_moved", false);
  if (first_look) {
    // The branch first: a single compare-and-set that, when someone pushed meanwhile, fails
    // before anything is live. Once it holds the verified commit, promoting can only be retried.
    Result<bool> m = MoveProductionBranch(*save, deploy->value("sha", ""),
                                          deploy->value("previous_deployment_id", ""));
    if (!m.ok()) return m.status();
    moved = *m;
    SLIPWAY_RETURN_IF_ERROR(StartPromote(project, id));
  }
  std::string job;
  Result<bool> done = AliasJobDone(project, id, &job);
  if (!done.ok()) return done.status();
  if (!*done) {
    return engine::NotDoneYet({{"deployment_id", id}, {"state", job}, {"branch_moved", moved}},
                              deps_.options.deploy_poll_interval_ms);
  }
  SLIPWAY_RETURN_IF_ERROR(tenants_.RecordProduction(call.tenant, id));
  Result<TenantRecord> tenant = tenants_.Require(call.tenant);
  if (!tenant.ok()) return tenant.status();
  Result<json> editor = SyncEditorBranch(
      *deps_.github, save->value("repo", ""), EditorBranch(tenant->default_branch),
      save->value("production_branch", ""), deploy->value("sha", ""),
      call.idempotency_key + "#editor");
  if (!editor.ok()) return Annotate(editor.status(), "editor branch");
  return json{{"deployment_id", id}, {"promoted", true}, {"alias_job", job},
              {"production_branch", save->value("production_branch", "")},
              {"branch_sha", deploy->value("sha", "")}, {"branch_moved", moved},
              {"previous_deployment_id", deploy->value("previous_deployment_id", "")},
              {"editor_branch", *editor}};
}

}  // namespace slipway::workflows
