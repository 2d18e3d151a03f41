// workflows/activities/deploy_activity.cc: production deployment and custom domain.
#include "workflows/activities/deploy_activity.h"

#include <algorithm>
#include <chrono>

#include "engine/base/git_names.h"
#include "workflows/activities/activity_util.h"

namespace slipway::workflows {

using nlohmann::json;

namespace {
constexpr int kMaxDeploymentsPerTry = 64;

// The production deployment this one replaces: what the record says serves production, unless
// that is this very deployment (a repeated attempt), then the one before it.
std::string PreviousOf(const TenantRecord& t, const std::string& id) {
  if (t.production_deployment != id) return t.production_deployment;
  auto it = std::find(t.deployments.begin(), t.deployments.end(), id);
  return it == t.deployments.begin() || it == t.deployments.end() ? "" : *(it - 1);
}

Result<activities::VercelDeployment> CreateOrFind(const WorkflowDeps& deps,
                                                  const engine::ActivityCall& call,
                                                  activities::DeploymentSpec spec) {
  for (int n = 1; n <= kMaxDeploymentsPerTry; ++n) {
    spec.idempotency_key = call.idempotency_key + "#d" + std::to_string(n);
    Result<activities::VercelDeployment> d = deps.vercel->CreateDeployment(spec);
    if (!d.ok()) return Annotate(d.status(), "create deployment");
    if (d->created || !d->Failed()) return d;
  }
  return Permanent("too many failed deployments for one try; resume the workflow to start over");
}

Result<activities::VercelDeployment> WaitUntilDone(const WorkflowDeps& deps,
                                                   const engine::ActivityCall& call,
                                                   activities::VercelDeployment d) {
  const auto start = std::chrono::steady_clock::now();
  const auto limit = std::chrono::milliseconds(deps.options.deploy_ready_timeout_ms);
  while (!d.Terminal()) {
    if (std::chrono::steady_clock::now() - start > limit) {
      return Unavailable("deployment " + d.id + " still " + d.ready_state);
    }
    SLIPWAY_RETURN_IF_ERROR(PauseFor(call, deps.options.deploy_poll_interval_ms));
    Result<activities::VercelDeployment> next = deps.vercel->GetDeployment(d.id);
    if (!next.ok()) return Annotate(next.status(), "deployment " + d.id);
    d = *next;
  }
  return d;
}

}  // namespace

Result<activities::VercelDeployment> DeployUntilReady(const WorkflowDeps& deps,
                                                      const engine::ActivityCall& call,
                                                      activities::DeploymentSpec spec) {
  Result<activities::VercelDeployment> d = CreateOrFind(deps, call, std::move(spec));
  if (!d.ok()) return d.status();
  d = WaitUntilDone(deps, call, *d);
  if (!d.ok()) return d.status();
  if (d->Failed()) {
    return Unavailable("Vercel deployment " + d->id + " ended in " + d->ready_state + ": " +
                       d->error_code + (d->error_message.empty() ? "" : ": " + d->error_message));
  }
  return d;
}

std::string ValidatedSha(const engine::ActivityCall& call) {
  const json& o = call.outputs;
  if (o.contains("revalidate") && o["revalidate"].value("passed", false)) {
    return o["revalidate"].value("sha", "");
  }
  return o.contains("validate") ? o["validate"].value("sha", "") : "";
}

json DnsRecordsJson(const std::vector<activities::DnsRecord>& records) {
  json out = json::array();
  for (const auto& r : records) {
    out.push_back({{"type", r.type}, {"domain", r.domain}, {"value", r.value}, {"reason", r.reason}});
  }
  return out;
}

Status DeployActivity::ServeProduction(const std::string& project_id, const std::string& id) {
  Result<activities::VercelProject> p = deps_.vercel->GetProject(project_id);
  if (!p.ok()) return Annotate(p.status(), "project " + project_id);
  if (p->production_deployment_id == id) return Status::Ok();
  return Annotate(deps_.vercel->Promote(project_id, id), "promote " + id);
}

Result<json> DeployActivity::Run(const engine::ActivityCall& call) {
  Result<json> save = OutputOf(call, "save");
  if (!save.ok()) return save.status();
  const std::string sha = ValidatedSha(call);
  if (sha.empty()) return Internal("deploy ran before a passing validation");
  const std::string project = save->value("project_id", "");
  activities::DeploymentSpec spec;
  spec.project = project;
  spec.target = "production";
  spec.git_org = deps_.config.github.owner;
  spec.git_repo = save->value("repo", "");
  spec.git_ref = save->value("branch", "");
  spec.git_sha = sha;
  spec.meta = {{"slipwayWorkflow", call.workflow_id}, {"slipwaySha", sha}};
  Result<activities::VercelDeployment> d = DeployUntilReady(deps_, call, spec);
  if (!d.ok()) return d.status();
  Result<TenantRecord> tenant = tenants_.Require(call.tenant);
  if (!tenant.ok()) return tenant.status();
  const std::string previous = PreviousOf(*tenant, d->id);
  SLIPWAY_RETURN_IF_ERROR(ServeProduction(project, d->id));
  SLIPWAY_RETURN_IF_ERROR(tenants_.RecordProduction(call.tenant, d->id));
  return json{{"deployment_id", d->id}, {"url", "https://" + d->url},
              {"ready_state", d->ready_state}, {"sha", sha},
              {"previous_deployment_id", previous}, {"created", d->created}};
}

Result<json> DomainActivity::Run(const engine::ActivityCall& call) {
  const std::string domain = InputString(call, "custom_domain");
  if (domain.empty()) return json{{"status", "none"}, {"verified", false}};
  // Input validation refused these at start; this guards inputs stored before it did.
  if (!IsHostName(domain) || IsUnderDomain(domain, deps_.config.base_domain)) {
    return Permanent("domain " + LowerHostName(domain) + " cannot be a custom domain");
  }
  SLIPWAY_RETURN_IF_ERROR(domains_.Claim(domain, call.tenant, call.workflow_id));
  Result<json> save = OutputOf(call, "save");
  if (!save.ok()) return save.status();
  const std::string project = save->value("project_id", "");
  Result<activities::DomainStatus> st = deps_.vercel->AddDomain(project, domain);
  if (!st.ok()) return Annotate(st.status(), "add domain " + domain);
  if (!st->verified) {
    Result<activities::DomainStatus> v = deps_.vercel->VerifyDomain(project, domain);
    if (!v.ok()) return Annotate(v.status(), "verify domain " + domain);
    st = *v;
  }
  const TimeMs now = deps_.clock->NowMs();
  TimeMs since = now;
  if (call.outputs.contains("domain") && call.outputs["domain"].value("domain", "") == domain) {
    since = call.outputs["domain"].value("pending_since", now);
  }
  json records = DnsRecordsJson(st->verification);
  if (!st->verified && now - since >= deps_.options.domain_deadline_ms) {
    std::string what;
    for (const auto& r : records) what += "\n" + r.value("type", "") + " " + r.value("domain", "") +
                                          " " + r.value("value", "");
    return Permanent("domain " + domain + " was not verified in time; set these DNS records:" + what);
  }
  return json{{"domain", domain}, {"verified", st->verified},
              {"status", st->verified ? "verified" : "pending"},
              {"dns_records", records}, {"pending_since", since}};
}

}  // namespace slipway::workflows
