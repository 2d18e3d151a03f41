// workflows/tenant_settings_workflow.cc: the tenant_settings type, its `apply` step and the
// deployment's approval policy lookup.
#include "workflows/tenant_settings_workflow.h"

#include <boost/mpl/vector.hpp>

#include "engine/msm_machine.h"
#include "workflows/workflow_util.h"

namespace slipway::workflows {

using nlohmann::json;
using boost::msm::front::Row;
using engine::NamedState;
using engine::StepSucceeded;

namespace {

struct TenantSettingsFront : engine::WorkflowFront<TenantSettingsFront> {
  struct Applying : NamedState<Applying> { static constexpr const char* kName = "apply"; };
  struct Done : NamedState<Done> { static constexpr const char* kName = "done"; };
  using initial_state = Applying;
  struct transition_table : boost::mpl::vector<Row<Applying, StepSucceeded, Done>> {};
};

json TenantSettingsResult(const json& outputs, const json&) {
  return outputs.value("apply", json::object());
}

}  // namespace

Status ValidateTenantSettingsInput(const json& in) {
  for (const auto& [key, value] : in.items()) {
    if (key != "require_approval" && key != "approval_timeout_s" &&
        key != "lighthouse_thresholds") {
      // The key names the field unless it is empty or not a plain name (it is the client's
      // text: an empty `field` says nothing, a long one would be echoed back).
      const bool plain = !key.empty() && key.size() <= 64 &&
                         key.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") ==
                             std::string::npos;
      return InvalidArgument(plain ? key : "input",
                             "unknown setting: require_approval, approval_timeout_s or "
                         "lighthouse_thresholds");
    }
  }
  if (in.empty()) {
    return InvalidArgument(
        "input", "set require_approval, approval_timeout_s or lighthouse_thresholds");
  }
  if (in.contains("lighthouse_thresholds")) {
    SLIPWAY_RETURN_IF_ERROR(
        CheckLighthouseThresholds(in["lighthouse_thresholds"], "lighthouse_thresholds"));
  }
  if (in.contains("require_approval") && !in["require_approval"].is_boolean()) {
    return InvalidArgument("require_approval", "must be true or false");
  }
  if (in.contains("approval_timeout_s")) {
    const json& t = in["approval_timeout_s"];
    if (!t.is_number_integer() || t.get<int64_t>() < 0 || t.get<int64_t>() > kMaxApprovalTimeoutS) {
      return InvalidArgument("approval_timeout_s", "must be an integer from 0 to " + std::to_string(kMaxApprovalTimeoutS) + " seconds");
    }
  }
  return Status::Ok();
}

Result<json> ApplyTenantSettingsActivity::Run(const engine::ActivityCall& call) {
  std::optional<bool> require;
  std::optional<int64_t> timeout;
  if (call.input.contains("require_approval")) require = call.input["require_approval"].get<bool>();
  if (call.input.contains("approval_timeout_s")) {
    timeout = call.input["approval_timeout_s"].get<int64_t>();
  }
  Status st = tenants_.SetApprovalPolicy(call.tenant, require, timeout);
  if (st.ok() && call.input.contains("lighthouse_thresholds")) {
    st = tenants_.SetLighthouseThresholds(
        call.tenant, call.input["lighthouse_thresholds"].get<std::map<std::string, int>>());
  }
  if (st.code() == Code::kNotFound) return Permanent("tenant " + call.tenant + " is not onboarded");
  if (!st.ok()) return st;
  Result<TenantRecord> r = tenants_.Require(call.tenant);
  if (!r.ok()) return r.status();
  json out = {{"require_approval", r->require_approval},
              {"approval_timeout_s", r->approval_timeout_s}};
  if (!r->lighthouse_thresholds.empty()) out["lighthouse_thresholds"] = r->lighthouse_thresholds;
  return out;
}

std::function<Result<json>(const std::string&, const json&)> ApprovalPolicyInput(
    TenantRecords& tenants) {
  return [&tenants](const std::string& tenant, const json& input) -> Result<json> {
    Result<std::optional<TenantRecord>> rec = tenants.Get(tenant);
    if (!rec.ok()) return rec.status();
    json out = input;
    if (!rec->has_value()) return out;
    const TenantRecord& r = **rec;
    if (!out.contains("require_approval") && r.require_approval) out["require_approval"] = true;
    if (!out.contains("approval_timeout_s") && r.approval_timeout_s > 0) {
      out["approval_timeout_s"] = r.approval_timeout_s;
    }
    if (!out.contains("lighthouse_thresholds") && !r.lighthouse_thresholds.empty()) {
      out["lighthouse_thresholds"] = r.lighthouse_thresholds;
    }
    return out;
  };
}

engine::WorkflowType TenantSettingsType(const WorkflowOptions& options) {
  engine::WorkflowType t;
  t.name = kTenantSettingsType;
  t.steps = {"apply"};
  t.states["apply"] = ActivityState(kApplyTenantSettingsActivity, options.retry.local);
  t.states["done"] = FinalState(engine::StateKind::kCompleted);
  t.make_machine = [] { return engine::MakeMsmMachine<TenantSettingsFront>(); };
  t.validate_input = ValidateTenantSettingsInput;
  t.build_result = TenantSettingsResult;
  return t;
}

}  // namespace slipway::workflows
