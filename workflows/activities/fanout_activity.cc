// workflows/activities/fanout_activity.cc: template update fan-out over deployment children.
#include "workflows/activities/fanout_activity.h"

#include "engine/transition.h"
#include "workflows/activities/activity_util.h"
#include "workflows/activities/parent_guard.h"
#include "workflows/deployment_workflow.h"

namespace slipway::workflows {

using nlohmann::json;

namespace {

json Outcome(const std::string& tenant, const engine::Workflow& w) {
  json o = {{"tenant", tenant}, {"id", w.instance.id}, {"status", w.instance.status}};
  if (w.instance.status == engine::status::kCompleted) {
    json r = json::parse(w.instance.result_json, nullptr, false);
    if (r.is_object()) o["deployment_id"] = r["deployment"].value("id", "");
  }
  if (!w.instance.error_json.empty()) {
    json e = json::parse(w.instance.error_json, nullptr, false);
    if (e.is_object()) o["error"] = e.value("message", "");
    // A failed state's error carries the step's own in `cause`: say what went wrong.
    if (e.is_object() && e.contains("cause") && e["cause"].is_object()) {
      o["error"] = o["error"].get<std::string>() + ": " + e["cause"].value("message", "");
    }
  }
  return o;
}

json ChildInput(const engine::ActivityCall& call) {
  json in = {{"template_ref", InputString(call, "template_ref")}, {kParentIdKey, call.workflow_id}};
  if (call.input.contains("max_autofix_rounds")) in["max_autofix_rounds"] = call.input["max_autofix_rounds"];
  return in;
}

// A workflow found under a child's id is this update's child only if it is a deployment of
// that tenant whose recorded input names this update as its parent. Anything else (say a
// deployment the tenant started under that id itself) is reported as this tenant's failure:
// never taken for the update's result, never blocking the other tenants.
Status CheckChild(const engine::Workflow& w, const std::string& tenant, const std::string& parent) {
  const storage::Instance& i = w.instance;
  json input = json::parse(i.input_json, nullptr, false);
  const bool ours = i.type == kDeploymentType && i.tenant == tenant && input.is_object() &&
                    input.value(kParentIdKey, json()) == json(parent);
  if (ours) return Status::Ok();
  return Permanent("workflow " + i.id + " exists but is not a deployment started by " + parent +
                   " for tenant " + tenant + "; this tenant was not updated");
}

json Counts(const json& outcomes) {
  json c = {{"completed", 0}, {"failed", 0}, {"cancelled", 0}, {"running", 0}, {"pending", 0}};
  for (const auto& o : outcomes) {
    const std::string s = o.value("status", "");
    const char* key = s == engine::status::kCompleted ? "completed"
                      : s == engine::status::kFailed ? "failed"
                      : s == engine::status::kCancelled ? "cancelled"
                      : s == "pending" ? "pending" : "running";
    c[key] = c[key].get<int>() + 1;
  }
  return c;
}

}  // namespace

std::string ChildId(const std::string& parent_id, const std::string& tenant) {
  return tenant + ":" + parent_id;
}

Result<json> PlanActivity::Run(const engine::ActivityCall& call) {
  const json& t = call.input.value("tenants", json("all"));
  std::vector<std::string> tenants;
  if (t.is_string() && t.get<std::string>() == "all") {
    Result<std::vector<std::string>> all = tenants_.All();
    if (!all.ok()) return all.status();
    tenants = *all;
  } else {
    tenants = t.get<std::vector<std::string>>();
  }
  return json{{"tenants", tenants}};
}

Result<json> FanoutActivity::Run(const engine::ActivityCall& call) {
  Result<json> plan = OutputOf(call, "plan");
  if (!plan.ok()) return plan.status();
  const int max_parallel = call.input.value("max_parallel", 4);
  const json child_input = ChildInput(call);
  json outcomes = json::array();
  int active = 0;
  std::vector<size_t> unstarted;
  for (const auto& tenant_json : (*plan)["tenants"]) {
    const std::string tenant = tenant_json.get<std::string>();
    const std::string id = ChildId(call.workflow_id, tenant);
    Result<engine::Workflow> w = engine_.Get(id);
    if (!w.ok() && w.status().code() != Code::kNotFound) return w.status();
    if (!w.ok()) {
      unstarted.push_back(outcomes.size());
      outcomes.push_back({{"tenant", tenant}, {"id", id}, {"status", "pending"}});
      continue;
    }
    if (Status child = CheckChild(*w, tenant, call.workflow_id); !child.ok()) {
      outcomes.push_back({{"tenant", tenant}, {"id", id}, {"status", engine::status::kFailed},
                          {"error", child.message()}});
      continue;
    }
    if (!engine::status::IsFinal(w->instance.status)) ++active;
    outcomes.push_back(Outcome(tenant, *w));
  }
  for (size_t i : unstarted) {
    if (active >= max_parallel || call.cancelled()) break;
    json& o = outcomes[i];
    engine::StartRequest req{kDeploymentType, o["tenant"].get<std::string>(), child_input,
                             o["id"].get<std::string>()};
    Result<engine::Workflow> w = engine_.Start(req, engine::Caller("workflow:" + call.workflow_id));
    if (!w.ok() && w.status().retryable()) return Annotate(w.status(), "start " + req.id);
    if (!w.ok()) {  // e.g. a tenant id the engine refuses: this tenant fails, the rest go on
      o["status"] = engine::status::kFailed;
      o["error"] = w.status().message();
      continue;
    }
    if (Status child = CheckChild(*w, req.tenant, call.workflow_id); !child.ok()) {
      o["status"] = engine::status::kFailed;  // an idempotent start found someone else's
      o["error"] = child.message();
      continue;
    }
    o = Outcome(req.tenant, *w);
    if (!engine::status::IsFinal(w->instance.status)) ++active;
  }
  json counts = Counts(outcomes);
  const bool done = counts["running"] == 0 && counts["pending"] == 0;
  return json{{"done", done}, {"active", active}, {"max_parallel", max_parallel},
              {"counts", counts}, {"tenants", outcomes}};
}

}  // namespace slipway::workflows
