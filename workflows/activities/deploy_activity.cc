// workflows/activities/deploy_activity.cc: the staged production deployment.
#include "workflows/activities/deploy_activity.h"

#include <algorithm>
#include <cmath>

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

std::string TryKey(const engine::ActivityCall& call, int n) {
  return call.idempotency_key + "#d" + std::to_string(n);
}

// The deployment of this try: #d1, made by this or an earlier attempt. Attempts recorded
// before a failed build became permanent made #d2, #d3... after a failed one: the newest of
// those is taken over, so an in-flight release is not failed for an older deployment's error.
Result<activities::VercelDeployment> CreateOrFind(const WorkflowDeps& deps,
                                                  const engine::ActivityCall& call,
                                                  activities::DeploymentSpec spec) {
  for (int n = 1; n <= kMaxDeploymentsPerTry; ++n) {
    spec.idempotency_key = TryKey(call, n);
    Result<activities::VercelDeployment> d = deps.vercel->CreateDeployment(spec);
    if (!d.ok()) return Annotate(d.status(), "create deployment");
    if (d->created || !d->Failed()) return d;
    Result<std::optional<activities::VercelDeployment>> later =
        deps.vercel->FindByKey(spec.project, TryKey(call, n + 1));
    if (!later.ok()) return Annotate(later.status(), "find deployment");
    if (!later->has_value()) return d;  // the last one made for this try: it failed
  }
  return Permanent("too many failed deployments for one try; resume the workflow to start over");
}

// The deployment an earlier look of this attempt recorded, "" on the attempt's first look.
std::string LookedAt(const engine::ActivityCall& call) {
  if (!call.progress.is_object()) return "";
  auto id = call.progress.find("deployment_id");
  return id != call.progress.end() && id->is_string() ? id->get<std::string>() : "";
}

}  // namespace

Result<activities::VercelDeployment> LookAtDeployment(const WorkflowDeps& deps,
                                                      const engine::ActivityCall& call,
                                                      activities::DeploymentSpec spec) {
  const std::string known = LookedAt(call);
  Result<activities::VercelDeployment> d =
      known.empty() ? CreateOrFind(deps, call, std::move(spec)) : deps.vercel->GetDeployment(known);
  if (!d.ok()) return known.empty() ? d.status() : Annotate(d.status(), "deployment " + known);
  if (d->Failed()) {
    // A build that failed on Vercel fails the same way again (same commit, same settings):
    // retrying would only make more failed deployments. Resume makes a new one.
    json details = {{"deployment_id", d->id}, {"ready_state", d->ready_state},
                    {"error_code", d->error_code}, {"error_message", d->error_message}};
    return Permanent("Vercel deployment " + d->id + " ended in " + d->ready_state +
                     (d->error_code.empty() ? "" : ": " + d->error_code) +
                     (d->error_message.empty() ? "" : ": " + d->error_message))
        .WithDetails(details.dump());
  }
  return d;
}

int64_t DeployLookDelayMs(const WorkflowOptions& options, int looks) {
  // Each look is a Vercel call and a task write. A real build takes 20 s to a few minutes, so
  // the looks start at the interval and grow by 40 % each up to the cap: a build is seen
  // ready at most 40 % of its time late while it is short and at most the cap (10 s) late once
  // it is long. 10,000 deployments building for 120 s cost 15 looks each (20 when the first
  // five looks were 2 s apart), and most of them come at the cap: about 1,000 a second.
  constexpr double kGrowth = 1.4;
  const int64_t base = options.deploy_poll_interval_ms;
  const int64_t cap = std::max(base, options.deploy_poll_max_interval_ms);
  double after = static_cast<double>(base);
  for (int i = 0; i < looks && after < static_cast<double>(cap); ++i) after *= kGrowth;
  return std::min(cap, static_cast<int64_t>(std::llround(after)));
}

nlohmann::json DeploymentNotReady(const WorkflowDeps& deps, const engine::ActivityCall& call,
                                  const activities::VercelDeployment& d) {
  return engine::NotDoneYet({{"deployment_id", d.id}, {"state", d.ready_state}},
                            DeployLookDelayMs(deps.options, call.looks));
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

Result<json> DeployActivity::Run(const engine::ActivityCall& call) {
  Result<json> save = OutputOf(call, "save");
  if (!save.ok()) return save.status();
  const std::string sha = ValidatedSha(call);
  if (sha.empty()) return Internal("deploy ran before a passing validation");
  const std::string project = save->value("project_id", "");
  activities::DeploymentSpec spec;
  spec.project = project;
  spec.target = "production";
  spec.staged = true;  // built for production, served by nothing until `promote`
  spec.git_org = deps_.config.github.owner;
  spec.git_repo = save->value("repo", "");
  spec.git_ref = save->value("branch", "");
  spec.git_sha = sha;
  spec.meta = {{"slipwayWorkflow", call.workflow_id}, {"slipwaySha", sha}};
  Result<activities::VercelDeployment> d = LookAtDeployment(deps_, call, spec);
  if (!d.ok()) return d.status();
  if (!d->Terminal()) return DeploymentNotReady(deps_, call, *d);
  Result<TenantRecord> tenant = tenants_.Require(call.tenant);
  if (!tenant.ok()) return tenant.status();
  return json{{"deployment_id", d->id}, {"url", activities::DeploymentOrigin(d->url)},
              {"ready_state", d->ready_state}, {"ready_substate", d->ready_substate},
              {"sha", sha}, {"staged", true},
              {"previous_deployment_id", PreviousOf(*tenant, d->id)}, {"created", d->created}};
}

}  // namespace slipway::workflows
