// workflows/domain_watch_workflow.cc: the domain watch's table, input and retry policy.
#include "workflows/domain_watch_workflow.h"

#include <algorithm>
#include <boost/mpl/vector.hpp>

#include "engine/base/git_names.h"
#include "engine/msm_machine.h"
#include "workflows/workflow_util.h"

namespace slipway::workflows {

using nlohmann::json;
using boost::msm::front::Row;
using engine::NamedState;
using engine::Resumed;
using engine::StepFailed;
using engine::StepSucceeded;

namespace {

struct DomainWatchFront : engine::WorkflowFront<DomainWatchFront> {
  struct Checking : NamedState<Checking> { static constexpr const char* kName = "check"; };
  struct Done : NamedState<Done> { static constexpr const char* kName = "done"; };
  struct Expired : NamedState<Expired> { static constexpr const char* kName = "expired"; };
  using initial_state = Checking;
  struct transition_table
      : boost::mpl::vector<Row<Checking, StepSucceeded, Done>, Row<Checking, StepFailed, Expired>,
                           Row<Expired, Resumed, Checking>> {};
};

// Pending is NotDoneYet: the rechecks are looks of one attempt on durable timers (the activity
// backs them off), bounded by the step's deadline; errors from Vercel retry as usual.
engine::RetryPolicy RecheckPolicy(const WorkflowOptions& o) {
  engine::RetryPolicy p = o.retry.vercel;
  p.attempt_timeout_ms = 0;  // the deadline bounds the wait, not one call's timeout
  p.initial_interval_ms = std::max<int64_t>(1, o.domain_recheck_ms);
  p.backoff_coefficient = 2.0;
  p.max_interval_ms = std::max(p.initial_interval_ms, kMaxDomainRecheckMs);
  p.max_attempts = 0;
  p.deadline_ms = o.domain_deadline_ms;
  p.jitter = false;
  return p;
}

json DomainWatchResult(const json& outputs, const json& steps) {
  json r = outputs.value("check", json::object());
  r["durations_ms"] = StepDurations(steps);
  return r;
}

}  // namespace

std::string DomainWatchId(const std::string& tenant, const std::string& deployment_id) {
  const std::string ns = tenant + ":";
  const bool scoped = deployment_id.compare(0, ns.size(), ns) == 0;
  return (scoped ? "" : ns) + deployment_id + ":domain";
}

Status ValidateDomainWatchInput(const json& in) {
  if (!in.is_object() || !in.contains("domain") || !in["domain"].is_string() ||
      !IsHostName(in["domain"].get<std::string>())) {
    return InvalidArgument("domain", "must be a host name");
  }
  if (!in.contains("project_id") || !in["project_id"].is_string()) {
    return InvalidArgument("project_id", "must be a Vercel project id");
  }
  SLIPWAY_RETURN_IF_ERROR(ValidateRemoteId(in["project_id"].get<std::string>(), "project_id"));
  if (in.contains("parent_id") && !in["parent_id"].is_string()) {
    return InvalidArgument("parent_id", "must be a string");
  }
  return Status::Ok();
}

engine::WorkflowType DomainWatchType(const WorkflowOptions& options) {
  engine::WorkflowType t;
  t.name = kDomainWatchType;
  t.steps = {"check"};
  t.states["check"] = ActivityState(kDomainCheckActivity, RecheckPolicy(options));
  t.states["done"] = FinalState(engine::StateKind::kCompleted);
  t.states["expired"] = FinalState(
      engine::StateKind::kFailed,
      "the custom domain was not verified before its deadline (production is live and verified "
      "on its Vercel URL); set the DNS records in the cause, then resume");
  t.make_machine = [] { return engine::MakeMsmMachine<DomainWatchFront>(); };
  t.validate_input = ValidateDomainWatchInput;
  t.build_result = DomainWatchResult;
  return t;
}

}  // namespace slipway::workflows
