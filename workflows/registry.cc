// workflows/registry.cc: wiring of workflow types and activity adapters onto an Engine.
#include "workflows/registry.h"

#include "workflows/activities/deploy_activity.h"
#include "workflows/activities/rollback_activity.h"
#include "workflows/activities/save_activity.h"
#include "workflows/activities/validate_activity.h"
#include "workflows/deployment_workflow.h"

namespace slipway::workflows {

using nlohmann::json;

namespace {

// Stands in for the verify step until activities/verify.h is wired: records that nothing was
// checked, so a result never claims a verification that did not happen.
class UncheckedVerifyActivity : public engine::Activity {
 public:
  Result<json> Run(const engine::ActivityCall& call) override {
    json deploy = call.outputs.value("deploy", json::object());
    return json{{"passed", true}, {"skipped", true}, {"url", deploy.value("url", "")},
                {"reason", "no verifier is configured"}};
  }
};

Status RequireDeps(const WorkflowDeps& d) {
  if (d.github == nullptr) return InvalidArgument("github", "a GitHub client is required");
  if (d.vercel == nullptr) return InvalidArgument("vercel", "a Vercel client is required");
  if (d.validator == nullptr) return InvalidArgument("validator", "a build validator is required");
  if (d.clock == nullptr) return InvalidArgument("clock", "a clock is required");
  return Status::Ok();
}

}  // namespace

template <class A, class... Args>
void Registry::Add(engine::Engine& engine, const char* name, Args&&... args) {
  owned_.push_back(std::make_unique<A>(std::forward<Args>(args)...));
  engine.RegisterActivity(name, *owned_.back());
}

Status Registry::RegisterAll(engine::Engine& engine) {
  SLIPWAY_RETURN_IF_ERROR(RequireDeps(deps_));
  tenants_ = std::make_unique<TenantRecords>(engine.store());
  SLIPWAY_RETURN_IF_ERROR(RegisterDeployment(engine));
  return Status::Ok();
}

Status Registry::RegisterDeployment(engine::Engine& engine) {
  const bool autofix = false;  // TODO(workflows): wire activities/autofix.h when it lands
  Add<SaveActivity>(engine, kSaveActivity, deps_, *tenants_);
  Add<ValidateActivity>(engine, kValidateActivity, deps_, autofix);
  Add<DeployActivity>(engine, kDeployActivity, deps_, *tenants_);
  Add<DomainActivity>(engine, kDomainActivity, deps_);
  Add<UncheckedVerifyActivity>(engine, kVerifyActivity);
  Add<CompensateActivity>(engine, kCompensateActivity, deps_, *tenants_);
  return engine.RegisterType(DeploymentType(deps_.options));
}

}  // namespace slipway::workflows
