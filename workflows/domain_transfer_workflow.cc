// workflows/domain_transfer_workflow.cc: the ops domain transfer's table, its transfer step and
// result (detach and attach: activities/domain_move_activities.cc).
#include "workflows/domain_transfer_workflow.h"

#include <boost/mpl/vector.hpp>

#include "engine/base/git_names.h"
#include "engine/msm_machine.h"
#include "workflows/activities/domain_move_activities.h"
#include "workflows/workflow_util.h"

namespace slipway::workflows {

using nlohmann::json;
using boost::msm::front::Row;
using engine::NamedState;
using engine::StepSucceeded;

namespace {

struct DomainTransferFront : engine::WorkflowFront<DomainTransferFront> {
  struct Transferring : NamedState<Transferring> { static constexpr const char* kName = "transfer"; };
  struct Detaching : NamedState<Detaching> { static constexpr const char* kName = "detach"; };
  struct Attaching : NamedState<Attaching> { static constexpr const char* kName = "attach"; };
  struct Done : NamedState<Done> { static constexpr const char* kName = "done"; };
  using initial_state = Transferring;
  struct transition_table : boost::mpl::vector<Row<Transferring, StepSucceeded, Detaching>,
                                               Row<Detaching, StepSucceeded, Attaching>,
                                               Row<Attaching, StepSucceeded, Done>> {};
};

json DomainTransferResult(const json& outputs, const json& steps) {
  json r = outputs.value("transfer", json::object());
  r["detached"] = outputs.value("detach", json::object());
  r["attached"] = outputs.value("attach", json::object());
  r["durations_ms"] = StepDurations(steps);
  return r;
}

}  // namespace

Status ValidateDomainTransferInput(const json& in, const std::string& base_domain) {
  if (!in.contains("domain")) return InvalidArgument("domain", "is required: the domain to move");
  return CheckOptionalCustomDomain(in, "domain", base_domain);
}

Result<json> DomainTransferActivity::Run(const engine::ActivityCall& call) {
  const std::string domain = LowerHostName(call.input.value("domain", ""));
  Result<std::string> before = domains_.Transfer(domain, call.tenant, call.workflow_id);
  if (!before.ok()) return before.status();
  return json{{"domain", domain}, {"tenant", call.tenant}, {"previous_tenant", *before}};
}

engine::WorkflowType DomainTransferType(const WorkflowOptions& options) {
  engine::WorkflowType t;
  t.name = kDomainTransferType;
  t.steps = {"transfer", "detach", "attach"};
  t.states["transfer"] = ActivityState(kDomainTransferActivity, options.retry.local);
  t.states["detach"] = ActivityState(kDomainDetachActivity, options.retry.vercel);
  t.states["attach"] = ActivityState(kDomainAttachActivity, options.retry.vercel);
  t.states["done"] = FinalState(engine::StateKind::kCompleted);
  t.make_machine = [] { return engine::MakeMsmMachine<DomainTransferFront>(); };
  t.validate_input = [base = options.base_domain](const json& in) {
    return ValidateDomainTransferInput(in, base);
  };
  t.build_result = DomainTransferResult;
  return t;
}

}  // namespace slipway::workflows
