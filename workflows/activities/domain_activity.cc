// workflows/activities/domain_activity.cc: attaching a release's custom domain, and its watch.
#include "workflows/activities/domain_activity.h"

#include <algorithm>

#include "engine/base/git_names.h"
#include "engine/transition.h"
#include "workflows/activities/activity_util.h"
#include "workflows/activities/deploy_activity.h"
#include "workflows/domain_watch_workflow.h"

namespace slipway::workflows {

using nlohmann::json;

namespace {

std::string RecordsText(const json& records) {
  std::string what;
  for (const auto& r : records) {
    what += "\n" + r.value("type", "") + " " + r.value("domain", "") + " " + r.value("value", "");
  }
  return what;
}

// One verification request (a 400 "not yet" comes back as verified=false with the records).
Result<activities::DomainStatus> CheckOnce(const WorkflowDeps& deps, const std::string& project,
                                           const std::string& domain) {
  Result<activities::DomainStatus> v = deps.vercel->VerifyDomain(project, domain);
  if (!v.ok()) return Annotate(v.status(), "verify domain " + domain);
  return v;
}

}  // namespace

Result<std::string> DomainActivity::Watch(const engine::ActivityCall& call,
                                          const std::string& domain,
                                          const std::string& project) {
  const std::string id = DomainWatchId(call.tenant, call.workflow_id);
  json input = {{"domain", domain}, {"project_id", project}, {"parent_id", call.workflow_id}};
  engine::Caller caller("workflow:" + call.workflow_id);
  Result<engine::Workflow> w =
      engine_.Start(engine::StartRequest{kDomainWatchType, call.tenant, input, id}, caller);
  if (!w.ok()) return Annotate(w.status(), "start the watch of " + domain);
  if (w->instance.type != kDomainWatchType) {
    return Permanent("workflow " + id + " is not the watch of " + domain);
  }
  if (w->instance.status == engine::status::kFailed) {  // an earlier visit's watch gave up
    Result<engine::Workflow> again = engine_.Resume(id, caller);
    if (!again.ok()) return Annotate(again.status(), "resume the watch of " + domain);
    return again->instance.status;
  }
  return w->instance.status;
}

Result<json> DomainActivity::Run(const engine::ActivityCall& call) {
  const std::string domain = LowerHostName(InputString(call, "custom_domain"));
  if (domain.empty()) return json{{"status", "none"}, {"verified", false}};
  // Input validation refused these at start; this guards inputs stored before it did.
  if (!IsHostName(domain) || IsUnderDomain(domain, deps_.config.base_domain)) {
    return Permanent("domain " + domain + " cannot be a custom domain");
  }
  SLIPWAY_RETURN_IF_ERROR(domains_.Claim(domain, call.tenant, call.workflow_id));
  Result<json> save = OutputOf(call, "save");
  if (!save.ok()) return save.status();
  const std::string project = save->value("project_id", "");
  Result<activities::DomainStatus> st = deps_.vercel->AddDomain(project, domain);
  if (!st.ok()) return Annotate(st.status(), "add domain " + domain);
  if (!st->verified) {
    Result<activities::DomainStatus> v = CheckOnce(deps_, project, domain);
    if (!v.ok()) return v.status();
    st = *v;
  }
  json out = {{"domain", domain}, {"verified", st->verified},
              {"status", st->verified ? "verified" : "pending"},
              {"dns_records", DnsRecordsJson(st->verification)}};
  if (st->verified) return out;
  Result<std::string> watch = Watch(call, domain, project);
  if (!watch.ok()) return watch.status();
  out["watch_id"] = DomainWatchId(call.tenant, call.workflow_id);
  out["watch_status"] = *watch;
  return out;
}

Result<json> DomainCheckActivity::Run(const engine::ActivityCall& call) {
  const std::string domain = InputString(call, "domain");
  const std::string project = InputString(call, "project_id");
  Result<activities::DomainStatus> st = CheckOnce(deps_, project, domain);
  if (!st.ok()) return st.status();
  if (st->verified) return json{{"domain", domain}, {"status", "verified"}, {"verified", true}};
  // Not yet: look again on a durable timer, after domain_recheck_ms and twice as long each
  // look, up to kMaxDomainRecheckMs; the step's deadline ends the wait (domain_watch_workflow).
  int64_t after = std::max<int64_t>(1, deps_.options.domain_recheck_ms);
  for (int i = 0; i < call.looks && after < kMaxDomainRecheckMs; ++i) after *= 2;
  const json records = DnsRecordsJson(st->verification);
  return engine::NotDoneYet(
      {{"domain", domain}, {"state", "pending"}, {"dns_records", records},
       {"message", "domain " + domain + " is not verified yet; set these DNS records:" +
                       RecordsText(records)}},
      std::min(after, kMaxDomainRecheckMs));
}

}  // namespace slipway::workflows
