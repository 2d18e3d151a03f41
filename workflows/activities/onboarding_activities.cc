// workflows/activities/onboarding_activities.cc: adapters of the onboarding steps.
#include "workflows/activities/onboarding_activities.h"

#include "engine/transition.h"
#include "workflows/activities/activity_util.h"
#include "workflows/activities/deploy_activity.h"

namespace slipway::workflows {

using nlohmann::json;

namespace {
constexpr int kMaxReserveTries = 8;

std::vector<activities::EnvVarSpec> TenantEnv(const std::string& tenant, const std::string& repo) {
  return {{"SLIPWAY_TENANT_ID", tenant, {"production", "preview", "development"}, "plain"},
          {"SLIPWAY_REPO", repo, {"production", "preview", "development"}, "plain"}};
}
}  // namespace

std::string DevDomainOf(const std::string& tenant, const std::string& base_domain) {
  return tenant + "-dev." + base_domain;
}

Result<std::string> AccountActivity::Reserve(const engine::ActivityCall& call,
                                             const json& account) {
  for (int i = 0; i < kMaxReserveTries; ++i) {
    Status put = store_.PutRecord({kAccountNamespace, call.tenant, account.dump(), 0}, 0);
    if (put.ok()) return std::string();
    if (put.code() != Code::kConflict && put.code() != Code::kAlreadyExists) return put;
    Result<storage::Record> held = store_.GetRecord(kAccountNamespace, call.tenant);
    if (!held.ok() && held.status().code() == Code::kNotFound) continue;  // released meanwhile
    if (!held.ok()) return held.status();
    json stored = json::parse(held->value_json, nullptr, false);
    const std::string holder = stored.is_object() ? stored.value("workflow", "") : "";
    if (holder == call.workflow_id) {  // an earlier attempt of ours (maybe a takeover)
      const json prev = stored.value("previous_workflows", json::array());
      if (prev.empty() || !prev.back().is_string()) return std::string();
      return prev.back().get<std::string>();
    }
    Result<storage::Instance> h = store_.Load(holder);
    if (!h.ok() && h.status().code() != Code::kNotFound) return h.status();
    if (h.ok() && h->status != engine::status::kFailed &&
        h->status != engine::status::kCancelled) {
      return FailedPrecondition("tenant " + call.tenant + " is already being onboarded by " +
                                holder + " (" + h->status + ")");
    }
    // The holder ended without a tenant: take its reservation over, keeping the lineage.
    json next = account;
    next["previous_workflows"] = stored.is_object() && stored.contains("previous_workflows")
                                     ? stored["previous_workflows"]
                                     : json::array();
    next["previous_workflows"].push_back(holder);
    Status take = store_.PutRecord({kAccountNamespace, call.tenant, next.dump(), 0}, held->version);
    if (take.ok()) return holder;
    if (take.code() != Code::kConflict) return take;
  }
  return Conflict("the reservation of tenant " + call.tenant + " kept changing");
}

Result<json> AccountActivity::Run(const engine::ActivityCall& call) {
  Result<std::optional<TenantRecord>> existing = tenants_.Get(call.tenant);
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) {
    return FailedPrecondition("tenant " + call.tenant + " already exists");
  }
  json account = {{"tenant", call.tenant}, {"email", InputString(call, "email")},
                  {"workflow", call.workflow_id}};
  Result<std::string> taken_from = Reserve(call, account);
  if (!taken_from.ok()) return taken_from.status();
  json out = {{"tenant", call.tenant}, {"email", account["email"]}};
  if (!taken_from->empty()) out["took_over_from"] = *taken_from;
  return out;
}

namespace {
// Ok while the calling workflow holds the tenant's reservation.
Status CheckReservation(storage::Store& store, const engine::ActivityCall& call) {
  Result<storage::Record> held = store.GetRecord(kAccountNamespace, call.tenant);
  if (!held.ok()) return Annotate(held.status(), "reservation of tenant " + call.tenant);
  json stored = json::parse(held->value_json, nullptr, false);
  const std::string holder = stored.is_object() ? stored.value("workflow", "") : "";
  if (holder == call.workflow_id) return Status::Ok();
  return Permanent("tenant " + call.tenant + " is being onboarded by " + holder +
                   ", which took over this workflow's reservation; continue with that one");
}
}  // namespace

Result<json> ReservationGuard::Run(const engine::ActivityCall& call) {
  SLIPWAY_RETURN_IF_ERROR(CheckReservation(store_, call));
  return inner_.Run(call);
}

Result<json> RepositoryActivity::Run(const engine::ActivityCall& call) {
  // GitHub may answer 201 before it has copied the template: the first look creates (or
  // finds) the repository, and while its default branch is missing the step waits on durable
  // timers (NotDoneYet), later looks only checking the branch.
  json out = call.progress.is_object() ? call.progress : json();
  if (!out.contains("repo")) {
    activities::CreateRepoRequest req{call.tenant, "Website of " + call.tenant + " (Slipway)"};
    req.wait_until_ready = false;
    Result<activities::GitHubRepo> r = deps_.github->CreateRepoFromTemplate(req);
    if (!r.ok()) return Annotate(r.status(), "create repository " + call.tenant);
    out = {{"repo_id", r->id}, {"repo", r->name}, {"full_name", r->full_name},
           {"default_branch", r->default_branch}, {"html_url", r->html_url},
           {"created", r->created}};
  }
  Result<bool> ready =
      deps_.github->DefaultBranchReady(out.value("repo", ""), out.value("default_branch", ""));
  if (!ready.ok()) return Annotate(ready.status(), "repository " + out.value("full_name", ""));
  if (*ready) {
    out.erase("state");
    return out;
  }
  out["state"] = "generating";
  return engine::NotDoneYet(out, deps_.config.github.ready_poll_interval_ms);
}

Result<json> WebhookActivity::Run(const engine::ActivityCall& call) {
  if (deps_.options.webhook_url.empty()) {
    return json{{"skipped", true},
                {"reason", "SLIPWAY_PUBLIC_URL is not set: no webhook, so pushes to the "
                           "repository do not start deployments"}};
  }
  Result<json> repo = OutputOf(call, "repository");
  if (!repo.ok()) return repo.status();
  activities::WebhookRequest req;
  req.repo = repo->value("repo", "");
  req.url = deps_.options.webhook_url;
  // Stored before the hook exists, so a repeated step signs with the same secret. It never
  // leaves this function except towards GitHub: the output names the hook only.
  Result<std::string> secret = secrets_.Ensure(call.tenant, repo->value("full_name", ""));
  if (!secret.ok()) return secret.status();
  req.secret = *secret;
  Result<activities::Webhook> h = deps_.github->CreateWebhook(req);
  if (!h.ok()) return Annotate(h.status(), "create webhook");
  return json{{"hook_id", h->id}, {"url", h->url}, {"created", h->created}};
}

Result<json> ProjectActivity::Run(const engine::ActivityCall& call) {
  Result<json> repo = OutputOf(call, "repository");
  if (!repo.ok()) return repo.status();
  activities::ProjectSpec spec;
  spec.name = dev_ ? call.tenant + "-dev" : call.tenant;
  spec.git_repo = repo->value("full_name", "");
  spec.env = TenantEnv(call.tenant, spec.git_repo);
  if (!dev_) spec.ignored_build_command = kReleaseBuildsOnly;  // pushes never go live
  Result<activities::VercelProject> p = deps_.vercel->CreateProject(spec);
  if (!p.ok()) return Annotate(p.status(), "create project " + spec.name);
  return json{{"project_id", p->id}, {"name", p->name}, {"created", p->created}};
}

Result<json> DevDeploymentActivity::Run(const engine::ActivityCall& call) {
  Result<json> repo = OutputOf(call, "repository");
  if (!repo.ok()) return repo.status();
  Result<json> project = OutputOf(call, "dev_project");
  if (!project.ok()) return project.status();
  activities::DeploymentSpec spec;
  spec.project = project->value("project_id", "");
  spec.target = "production";  // the dev project's own production: what the editor serves
  spec.git_org = deps_.config.github.owner;
  spec.git_repo = repo->value("repo", "");
  spec.git_ref = repo->value("default_branch", "");
  spec.meta = {{"slipwayWorkflow", call.workflow_id}};
  Result<activities::VercelDeployment> d = LookAtDeployment(deps_, call, spec);
  if (!d.ok()) return d.status();
  if (!d->Terminal()) return DeploymentNotReady(deps_, call, *d);
  return json{{"deployment_id", d->id}, {"url", activities::DeploymentOrigin(d->url)},
              {"created", d->created}};
}

Result<json> DevDomainActivity::Run(const engine::ActivityCall& call) {
  Result<json> project = OutputOf(call, "dev_project");
  if (!project.ok()) return project.status();
  if (deps_.config.base_domain.empty()) {
    return FailedPrecondition("SLIPWAY_BASE_DOMAIN is not set: no dev domain to attach");
  }
  const std::string domain = DevDomainOf(call.tenant, deps_.config.base_domain);
  Result<activities::DomainStatus> st =
      deps_.vercel->AddDomain(project->value("project_id", ""), domain);
  if (!st.ok()) return Annotate(st.status(), "add domain " + domain);
  return json{{"domain", domain}, {"verified", st->verified},
              {"dns_records", DnsRecordsJson(st->verification)}};
}

Result<json> TenantRecordActivity::Run(const engine::ActivityCall& call) {
  const json& o = call.outputs;
  for (const char* step : {"repository", "dev_project", "prod_project", "dev_domain"}) {
    if (!o.contains(step)) return Internal("record needs the output of step " + std::string(step));
  }
  TenantRecord r;
  r.tenant = call.tenant;
  r.repo_id = o["repository"].value("repo_id", int64_t{0});
  r.repo = o["repository"].value("repo", "");
  r.repo_full_name = o["repository"].value("full_name", "");
  r.default_branch = o["repository"].value("default_branch", "");
  r.branch = production_branch_.empty() ? r.default_branch : production_branch_;
  r.dev_project_id = o["dev_project"].value("project_id", "");
  r.prod_project_id = o["prod_project"].value("project_id", "");
  r.prod_project_name = o["prod_project"].value("name", "");
  r.domains = {o["dev_domain"].value("domain", "")};
  SLIPWAY_RETURN_IF_ERROR(tenants_.Create(r));
  json out = r.ToJson();
  if (!mint_editor_token_) {
    out["editor_access"] = {{"minted", false}, {"reason", "no token store is configured"}};
    return out;
  }
  // After the record: a retry finds the record made and the same token (same origin).
  Result<json> token = mint_editor_token_(call.tenant, call.workflow_id);
  if (!token.ok()) return Annotate(token.status(), "editor token");
  out["editor_access"] = *token;
  return out;
}

}  // namespace slipway::workflows
