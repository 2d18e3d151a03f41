// workflows/deployment_workflow.cc: the deployment workflow type: states, input, result.
#include "workflows/deployment_workflow.h"

#include "workflows/deployment_table.h"
#include "workflows/website_data.h"
#include "workflows/tenant_records.h"
#include "workflows/workflow_util.h"

namespace slipway::workflows {

using nlohmann::json;

Status ValidateDeploymentInput(const json& in, const std::string& base_domain) {
  if (in.contains("website_data") && !in["website_data"].is_object()) {
    return InvalidArgument("website_data", "must be a JSON object");
  }
  SLIPWAY_RETURN_IF_ERROR(CheckOptionalWebsiteData(in));  // schema: workflows/website_data.h
  if (in.contains("parent_id") &&
      (!in["parent_id"].is_string() || in["parent_id"].get<std::string>().empty())) {
    return InvalidArgument("parent_id", "must be a non-empty string");
  }
  // ref and template_ref become URL path segments of GitHub calls: git's ref-name rules.
  SLIPWAY_RETURN_IF_ERROR(CheckOptionalRef(in, "ref"));
  SLIPWAY_RETURN_IF_ERROR(CheckOptionalRef(in, "template_ref"));
  SLIPWAY_RETURN_IF_ERROR(CheckOptionalCustomDomain(in, "custom_domain", base_domain));
  if (in.contains("require_approval") && !in["require_approval"].is_boolean()) {
    return InvalidArgument("require_approval", "must be true or false");
  }
  SLIPWAY_RETURN_IF_ERROR(CheckOptionalInteger(in, "approval_timeout_s", 1, kMaxApprovalTimeoutS));
  if (in.contains("lighthouse_thresholds")) {
    SLIPWAY_RETURN_IF_ERROR(
        CheckLighthouseThresholds(in["lighthouse_thresholds"], "lighthouse_thresholds"));
  }
  return CheckOptionalInteger(in, "max_autofix_rounds", 0, 5);
}

json DeploymentResult(const json& outputs, const json& steps) {
  const json save = outputs.value("save", json::object());
  const json deploy = outputs.value("deploy", json::object());
  const json autofix = outputs.value("autofix", json::object());
  const json promote = outputs.value("promote", json::object());
  json r;
  r["commits"] = {{"saved", save.value("commit_sha", "")},
                  {"template_ref", save.value("template_ref", "")},
                  {"autofix", autofix.value("commits", json::array())},
                  {"deployed", deploy.value("sha", "")}};
  r["branches"] = {{"work", save.value("branch", "")},
                   {"production", save.value("production_branch", "")},
                   {"production_was", save.value("base_sha", "")},
                   {"production_moved", promote.value("branch_moved", false)},
                   {"editor", promote.value("editor_branch", json{{"status", "none"}})}};
  r["deployment"] = {{"id", deploy.value("deployment_id", "")},
                     {"url", deploy.value("url", "")},
                     {"previous_id", deploy.value("previous_deployment_id", "")},
                     {"staged", deploy.value("staged", false)},
                     {"promoted", promote.value("promoted", false)},
                     {"alias_job", promote.value("alias_job", "")}};
  const json domain = outputs.value("domain", json::object());
  r["domain"] = domain.empty() ? json{{"status", "none"}}
                               : json{{"name", domain.value("domain", "")},
                                      {"status", domain.value("status", "")},
                                      {"dns_records", domain.value("dns_records", json::array())}};
  if (domain.contains("watch_id")) r["domain"]["watch_id"] = domain["watch_id"];
  r["fixes_applied"] = autofix.value("fixes_total", 0);
  r["llm"] = autofix.value("llm_total", json{{"input_tokens", 0}, {"output_tokens", 0},
                                             {"cost_usd", 0.0}});
  r["verify"] = outputs.value("verify", json());
  r["durations_ms"] = StepDurations(steps);
  return r;
}

engine::WorkflowType DeploymentType(const WorkflowOptions& options) {
  const RetryPolicies& rp = options.retry;
  engine::WorkflowType t;
  t.name = kDeploymentType;
  t.steps = {"save", "validate", "autofix", "revalidate", "approval", "deploy",
             "verify", "promote", "domain", "domain_wait", "rollback"};
  t.states["save"] = ActivityState(kSaveActivity, rp.github);
  t.states["validate"] = ActivityState(kValidateActivity, rp.build, "build");
  t.states["autofix"] = ActivityState(kAutofixActivity, rp.llm, "llm");
  t.states["revalidate"] = ActivityState(kValidateActivity, rp.build, "build");
  // A build found in the cache takes no build slot (validate_activity.h).
  t.states["validate"].limit_on_request = true;
  t.states["revalidate"].limit_on_request = true;
  t.states["approval"] = WaitState(0, "approval_timeout_s");
  t.states["deploy"] = ActivityState(kDeployActivity, rp.deploy);
  t.states["domain"] = ActivityState(kDomainActivity, rp.vercel);
  t.states["domain_wait"] = WaitState(options.domain_recheck_ms, "");
  t.states["verify"] = ActivityState(kVerifyActivity, rp.verify);
  t.states["promote"] = ActivityState(kPromoteActivity, rp.vercel);
  t.states["rollback"] = ActivityState(kCompensateActivity, rp.vercel);  // legacy releases
  t.states["done"] = FinalState(engine::StateKind::kCompleted);
  t.states["rolled_back"] = FinalState(engine::StateKind::kFailed,
                                       "verification failed; production was rolled back");
  // Failures before verify: nothing was released. The cause is the step's error (for a build,
  // its details are the parsed errors the editor shows); resume re-runs the step.
  t.states["save_failed"] = FinalState(
      engine::StateKind::kFailed,
      "save failed: nothing was committed to production or released; see the cause (resume "
      "retries the save)");
  t.states["validate_failed"] = FinalState(
      engine::StateKind::kFailed,
      "the build failed; nothing was released (resume validates the work branch's head again)");
  t.states["autofix_failed"] = FinalState(
      engine::StateKind::kFailed,
      "auto-fix failed; nothing was released (resume runs auto-fix again)");
  t.states["revalidate_failed"] = FinalState(
      engine::StateKind::kFailed,
      "the build still fails after auto-fix; nothing was released (push a fix to the work "
      "branch, then resume: it validates the branch's head again)");
  t.states["deploy_failed"] = FinalState(
      engine::StateKind::kFailed,
      "the staged deployment could not be built; production was left as it was (resume "
      "creates a new deployment)");
  t.states["verify_failed"] = FinalState(
      engine::StateKind::kFailed,
      "verification of the staged deployment failed; production was left as it was");
  t.states["promote_failed"] = FinalState(
      engine::StateKind::kFailed,
      "the verified deployment could not be promoted; see the cause (resume retries it)");
  t.states["domain_failed"] = FinalState(
      engine::StateKind::kFailed,
      "production is live and verified, but the custom domain could not be attached");
  t.states["rejected"] = FinalState(engine::StateKind::kFailed, "rejected at approval");
  t.states["approval_expired"] = FinalState(engine::StateKind::kFailed,
                                            "no approval arrived before the deadline");
  t.make_machine = [] { return engine::MakeMsmMachine<deployment::Front>(); };
  t.serial_group = kDeploySerialGroup;
  t.validate_input = [base = options.base_domain](const json& in) {
    return ValidateDeploymentInput(in, base);
  };
  t.build_result = DeploymentResult;
  return t;
}

}  // namespace slipway::workflows
