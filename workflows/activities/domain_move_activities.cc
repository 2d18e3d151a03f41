// workflows/activities/domain_move_activities.cc: the domain transfer's Vercel steps (see
// domain_move_activities.h).
#include "workflows/activities/domain_move_activities.h"

#include <optional>

#include "engine/base/git_names.h"
#include "workflows/activities/activity_util.h"
#include "workflows/activities/deploy_activity.h"

namespace slipway::workflows {

using nlohmann::json;

namespace {

// The production project of `tenant`: "" when it has none (no record, or not onboarded
// that far). Errors: the store's.
Result<std::string> ProductionProject(TenantRecords& tenants, const std::string& tenant) {
  Result<std::optional<TenantRecord>> rec = tenants.Get(tenant);
  if (!rec.ok()) return rec.status();
  return rec->has_value() ? (*rec)->prod_project_id : std::string();
}

// The domain this workflow moves, as the transfer step recorded it.
Result<std::string> MovedDomain(const engine::ActivityCall& call) {
  Result<json> moved = OutputOf(call, "transfer");
  if (!moved.ok()) return moved.status();
  const std::string domain = moved->value("domain", "");
  if (!IsHostName(domain)) return Internal("transfer step recorded no domain");
  return domain;
}

}  // namespace

Result<json> DomainDetachActivity::Run(const engine::ActivityCall& call) {
  Result<std::string> domain = MovedDomain(call);
  if (!domain.ok()) return domain.status();
  const std::string previous = call.outputs.at("transfer").value("previous_tenant", "");
  if (previous.empty() || previous == call.tenant) {
    return json{{"skipped", "no previous owner"}};
  }
  Result<std::string> project = ProductionProject(tenants_, previous);
  if (!project.ok()) return project.status();
  if (project->empty()) return json{{"skipped", "the previous owner has no production project"}};
  Result<bool> removed = deps_.vercel->RemoveDomain(*project, *domain);
  if (!removed.ok()) return Annotate(removed.status(), "remove domain " + *domain);
  return json{{"project_id", *project}, {"removed", *removed}};
}

Result<json> DomainAttachActivity::Run(const engine::ActivityCall& call) {
  Result<std::string> domain = MovedDomain(call);
  if (!domain.ok()) return domain.status();
  Result<std::string> project = ProductionProject(tenants_, call.tenant);
  if (!project.ok()) return project.status();
  if (project->empty()) {
    return json{{"skipped", "the tenant has no production project yet; its next deployment "
                            "with this custom_domain attaches it"}};
  }
  Result<activities::DomainStatus> st = deps_.vercel->AddDomain(*project, *domain);
  if (!st.ok()) return Annotate(st.status(), "add domain " + *domain);
  return json{{"project_id", *project}, {"created", st->created}, {"verified", st->verified},
              {"dns_records", DnsRecordsJson(st->verification)}};
}

}  // namespace slipway::workflows
