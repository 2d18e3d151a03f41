// workflows/rollback_workflow.cc: the ops rollback workflow's table, states and result.
#include "workflows/rollback_workflow.h"

#include <boost/mpl/vector.hpp>

#include "engine/base/git_names.h"
#include "engine/msm_machine.h"
#include "workflows/deployment_workflow.h"
#include "workflows/workflow_util.h"

namespace slipway::workflows {

using nlohmann::json;
using boost::msm::front::Row;
using engine::NamedState;
using engine::StepSucceeded;

namespace {

struct RollbackFront : engine::WorkflowFront<RollbackFront> {
  struct Resolving : NamedState<Resolving> { static constexpr const char* kName = "resolve"; };
  struct RollingBack : NamedState<RollingBack> { static constexpr const char* kName = "rollback"; };
  struct Done : NamedState<Done> { static constexpr const char* kName = "done"; };
  using initial_state = Resolving;
  struct transition_table : boost::mpl::vector<Row<Resolving, StepSucceeded, RollingBack>,
                                               Row<RollingBack, StepSucceeded, Done>> {};
};

json RollbackResult(const json& outputs, const json& steps) {
  json r = outputs.value("rollback", json::object());
  r["durations_ms"] = StepDurations(steps);
  return r;
}

}  // namespace

Status ValidateRollbackInput(const json& in) {
  // A Vercel deployment id: it becomes a URL path segment of the rollback call.
  if (!in.contains("deployment_id")) return Status::Ok();
  if (!in["deployment_id"].is_string()) {
    return InvalidArgument("deployment_id", "must be a deployment id such as dpl_...");
  }
  return ValidateRemoteId(in["deployment_id"].get<std::string>(), "deployment_id");
}

engine::WorkflowType RollbackType(const WorkflowOptions& options) {
  engine::WorkflowType t;
  t.name = kRollbackType;
  t.steps = {"resolve", "rollback"};
  t.states["resolve"] = ActivityState(kResolveRollbackActivity, options.retry.local);
  t.states["rollback"] = ActivityState(kRollbackActivity, options.retry.vercel);
  t.states["done"] = FinalState(engine::StateKind::kCompleted);
  t.make_machine = [] { return engine::MakeMsmMachine<RollbackFront>(); };
  t.serial_group = kDeploySerialGroup;
  t.validate_input = ValidateRollbackInput;
  t.build_result = RollbackResult;
  return t;
}

}  // namespace slipway::workflows
