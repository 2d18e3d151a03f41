// workflows/template_update_workflow.cc: the template update's table, states and result.
#include "workflows/template_update_workflow.h"

#include <boost/mpl/vector.hpp>
#include <set>

#include "engine/base/ids.h"
#include "engine/msm_machine.h"
#include "workflows/workflow_util.h"

namespace slipway::workflows {

using nlohmann::json;
using boost::msm::front::none;
using boost::msm::front::Row;
using engine::NamedState;
using engine::Signalled;
using engine::SignalIs;
using engine::StepSucceeded;
using engine::TimerFired;

namespace {

struct AllEnded {
  template <class F, class S, class T>
  bool operator()(StepSucceeded const& e, F&, S&, T&) const { return e.output.value("done", false); }
};
struct SomeRunning {
  template <class F, class S, class T>
  bool operator()(StepSucceeded const& e, F&, S&, T&) const { return !e.output.value("done", false); }
};
struct Recheck { static constexpr const char* kSignal = "recheck"; };

struct TemplateUpdateFront : engine::WorkflowFront<TemplateUpdateFront> {
  struct Planning : NamedState<Planning> { static constexpr const char* kName = "plan"; };
  struct FanningOut : NamedState<FanningOut> { static constexpr const char* kName = "fanout"; };
  struct AwaitingChildren : NamedState<AwaitingChildren> {
    static constexpr const char* kName = "children_wait";
  };
  struct Done : NamedState<Done> { static constexpr const char* kName = "done"; };
  using initial_state = Planning;
  struct transition_table
      : boost::mpl::vector<Row<Planning, StepSucceeded, FanningOut>,
                           Row<FanningOut, StepSucceeded, Done, none, AllEnded>,
                           Row<FanningOut, StepSucceeded, AwaitingChildren, none, SomeRunning>,
                           Row<AwaitingChildren, TimerFired, FanningOut>,
                           Row<AwaitingChildren, Signalled, FanningOut, none, SignalIs<Recheck>>> {};
};

json TemplateUpdateResult(const json& outputs, const json& steps) {
  const json fanout = outputs.value("fanout", json::object());
  const json counts = fanout.value("counts", json::object());
  return {{"tenants", fanout.value("tenants", json::array())},
          {"deployed", counts.value("completed", 0)},
          {"failed", counts.value("failed", 0) + counts.value("cancelled", 0)},
          {"counts", counts},
          {"durations_ms", StepDurations(steps)}};
}

}  // namespace

Status ValidateTemplateUpdateInput(const json& in) {
  if (!in.contains("template_ref")) {
    return InvalidArgument("template_ref", "is required: a branch or commit of the template");
  }
  SLIPWAY_RETURN_IF_ERROR(CheckOptionalRef(in, "template_ref"));
  const json t = in.value("tenants", json("all"));
  if (t.is_string()) {
    if (t.get<std::string>() != "all") return InvalidArgument("tenants", "must be \"all\" or an array");
  } else if (!t.is_array() || t.empty() || t.size() > 10'000) {
    return InvalidArgument("tenants", "must be \"all\" or a non-empty array of tenant ids");
  } else {
    std::set<std::string> seen;
    for (const auto& id : t) {
      if (!id.is_string()) return InvalidArgument("tenants", "tenant ids are strings");
      SLIPWAY_RETURN_IF_ERROR(ValidateTenantId(id.get<std::string>(), "tenants"));
      if (!seen.insert(id.get<std::string>()).second) {
        return InvalidArgument("tenants", "tenant " + id.get<std::string>() + " is listed twice");
      }
    }
  }
  SLIPWAY_RETURN_IF_ERROR(CheckOptionalInteger(in, "max_parallel", 1, 50));
  return CheckOptionalInteger(in, "max_autofix_rounds", 0, 5);
}

engine::WorkflowType TemplateUpdateType(const WorkflowOptions& options) {
  engine::WorkflowType t;
  t.name = kTemplateUpdateType;
  t.steps = {"plan", "fanout", "children_wait"};
  t.states["plan"] = ActivityState(kPlanActivity, options.retry.local);
  t.states["fanout"] = ActivityState(kFanoutActivity, options.retry.local);
  t.states["children_wait"] = WaitState(options.fanout_poll_ms, "");
  t.states["done"] = FinalState(engine::StateKind::kCompleted);
  t.make_machine = [] { return engine::MakeMsmMachine<TemplateUpdateFront>(); };
  t.validate_input = ValidateTemplateUpdateInput;
  t.build_result = TemplateUpdateResult;
  return t;
}

}  // namespace slipway::workflows
