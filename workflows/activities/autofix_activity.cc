// workflows/activities/autofix_activity.cc: LLM fixes of a failing build, one commit a round.
#include "workflows/activities/autofix_activity.h"

#include "workflows/activities/activity_util.h"
#include "workflows/activities/validate_activity.h"

namespace slipway::workflows {

using nlohmann::json;

namespace {

// The latest failing validation: revalidate's once a round has run, else validate's.
json FailingValidation(const engine::ActivityCall& call) {
  const json& o = call.outputs;
  if (o.contains("autofix") && o.contains("revalidate")) return o["revalidate"];
  return o.value("validate", json::object());
}

std::vector<activities::build::BuildError> ErrorsFrom(const json& errors) {
  std::vector<activities::build::BuildError> out;
  for (const auto& e : errors) {
    out.push_back({e.value("tool", ""), e.value("file", ""), e.value("line", 0),
                   e.value("column", 0), e.value("code", ""), e.value("message", "")});
  }
  return out;
}

json AddUsage(json total, const activities::LlmUsage& u) {
  if (!total.is_object()) total = {{"input_tokens", 0}, {"output_tokens", 0}, {"cost_usd", 0.0}};
  total["input_tokens"] = total.value("input_tokens", int64_t{0}) + u.input_tokens;
  total["output_tokens"] = total.value("output_tokens", int64_t{0}) + u.output_tokens;
  total["cost_usd"] = total.value("cost_usd", 0.0) + u.cost_usd;
  return total;
}

}  // namespace

Result<json> AutofixActivity::Run(const engine::ActivityCall& call) {
  if (deps_.autofixer == nullptr) return FailedPrecondition("no autofixer is configured");
  Result<json> save = OutputOf(call, "save");
  if (!save.ok()) return save.status();
  const json failing = FailingValidation(call);
  const json prev = call.outputs.value("autofix", json::object());
  activities::AutofixRequest req;
  req.repo = save->value("repo", "");
  req.branch = save->value("branch", "");
  req.ref = failing.value("sha", "");
  req.errors = ErrorsFrom(failing.value("errors", json::array()));
  req.idempotency_key = call.idempotency_key;
  req.tenant = call.tenant;
  json out = {{"round", prev.value("round", 0) + 1}, {"committed", false}, {"fixes_applied", 0}};
  json commits = prev.value("commits", json::array());
  int fixes = 0;
  Result<activities::AutofixResult> r = deps_.autofixer->Run(req);
  if (!r.ok() && r.status().code() == Code::kConflict) {
    // The branch moved on (a human pushed): the errors are stale; revalidate the new head.
    Result<std::string> head = deps_.github->GetBranchHead(req.repo, req.branch);
    if (!head.ok()) return Annotate(head.status(), "branch head");
    out["commit_sha"] = *head;
    out["reason"] = "the branch moved on since the failing build; validating its head";
    out["llm_total"] = AddUsage(prev.value("llm_total", json()), {});
  } else if (!r.ok() && r.status().code() == Code::kResourceExhausted) {
    // The LLM budget is spent: auto-fix is skipped and the build's errors go to the user
    // (autofix_failed; resume runs auto-fix again once the budget allows).
    return BuildFailure(failing.value("sha", ""), failing.value("errors", json::array()),
                        prev.value("round", 0), failing.value("output_tail", ""),
                        " (auto-fix skipped: " + r.status().message() + ")");
  } else if (!r.ok()) {
    return Annotate(r.status(), "autofix");
  } else {
    if (r->committed) {
      fixes = static_cast<int>(r->accepted.size());
      commits.push_back(r->commit_sha);
    }
    out["committed"] = r->committed;
    out["commit_sha"] = r->committed ? r->commit_sha : req.ref;
    out["reason"] = r->reason;
    out["autofix"] = activities::ToJson(*r);
    out["llm_total"] = AddUsage(prev.value("llm_total", json()), r->llm);
  }
  out["fixes_applied"] = fixes;
  out["fixes_total"] = prev.value("fixes_total", 0) + fixes;
  out["commits"] = commits;
  return out;
}

}  // namespace slipway::workflows
