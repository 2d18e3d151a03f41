// workflows/registry.cc: wiring of workflow types and activity adapters onto an Engine.
#include "workflows/registry.h"

#include "workflows/activities/autofix_activity.h"
#include "workflows/activities/deploy_activity.h"
#include "workflows/activities/domain_activity.h"
#include "workflows/activities/fanout_activity.h"
#include "workflows/activities/onboarding_activities.h"
#include "workflows/activities/parent_guard.h"
#include "workflows/activities/promote_activity.h"
#include "workflows/activities/rollback_activity.h"
#include "workflows/activities/save_activity.h"
#include "workflows/activities/verify_activity.h"
#include "workflows/activities/validate_activity.h"
#include "workflows/deployment_workflow.h"
#include "workflows/activities/domain_move_activities.h"
#include "workflows/domain_transfer_workflow.h"
#include "workflows/domain_watch_workflow.h"
#include "workflows/onboarding_workflow.h"
#include "workflows/rollback_workflow.h"
#include "workflows/template_update_workflow.h"
#include "workflows/tenant_settings_workflow.h"

namespace slipway::workflows {

using nlohmann::json;

namespace {

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

template <class A, class... Args>
void Registry::AddChildStep(engine::Engine& engine, const char* name, Args&&... args) {
  owned_.push_back(std::make_unique<A>(std::forward<Args>(args)...));
  engine::Activity& inner = *owned_.back();
  owned_.push_back(std::make_unique<ParentCancelGuard>(inner, engine));
  engine.RegisterActivity(name, *owned_.back());
}

template <class A, class... Args>
void Registry::AddReserved(engine::Engine& engine, const char* name, Args&&... args) {
  owned_.push_back(std::make_unique<A>(std::forward<Args>(args)...));
  engine::Activity& inner = *owned_.back();
  owned_.push_back(std::make_unique<ReservationGuard>(inner, engine.store()));
  engine.RegisterActivity(name, *owned_.back());
}

Status Registry::RegisterAll(engine::Engine& engine) {
  SLIPWAY_RETURN_IF_ERROR(RequireDeps(deps_));
  if (deps_.options.base_domain.empty()) deps_.options.base_domain = deps_.config.base_domain;
  tenants_ = std::make_unique<TenantRecords>(engine.store());
  domains_ = std::make_unique<DomainRecords>(engine.store());
  SLIPWAY_RETURN_IF_ERROR(RegisterDeployment(engine));
  SLIPWAY_RETURN_IF_ERROR(RegisterOnboarding(engine));
  SLIPWAY_RETURN_IF_ERROR(RegisterRollback(engine));
  // Ops set a tenant's approval policy through this type (tenant_settings_workflow.h).
  Add<ApplyTenantSettingsActivity>(engine, kApplyTenantSettingsActivity, *tenants_);
  SLIPWAY_RETURN_IF_ERROR(engine.RegisterType(TenantSettingsType(deps_.options)));
  SLIPWAY_RETURN_IF_ERROR(RegisterTemplateUpdate(engine));
  Add<DomainTransferActivity>(engine, kDomainTransferActivity, *domains_);
  Add<DomainDetachActivity>(engine, kDomainDetachActivity, deps_, *tenants_);
  Add<DomainAttachActivity>(engine, kDomainAttachActivity, deps_, *tenants_);
  return engine.RegisterType(DomainTransferType(deps_.options));
}

Status Registry::RegisterDeployment(engine::Engine& engine) {
  const bool autofix = deps_.autofixer != nullptr;
  if (autofix) AddChildStep<AutofixActivity>(engine, kAutofixActivity, deps_);
  AddChildStep<SaveActivity>(engine, kSaveActivity, deps_, *tenants_, domains_.get());
  AddChildStep<ValidateActivity>(engine, kValidateActivity, deps_, autofix);
  AddChildStep<DeployActivity>(engine, kDeployActivity, deps_, *tenants_);
  Add<DomainActivity>(engine, kDomainActivity, deps_, *domains_, engine);
  Add<DomainCheckActivity>(engine, kDomainCheckActivity, deps_);
  SLIPWAY_RETURN_IF_ERROR(engine.RegisterType(DomainWatchType(deps_.options)));
  Add<VerifyActivity>(engine, kVerifyActivity, deps_);
  Add<PromoteActivity>(engine, kPromoteActivity, deps_, *tenants_);
  Add<CompensateActivity>(engine, kCompensateActivity, deps_, *tenants_);
  engine::WorkflowType type = DeploymentType(deps_.options);
  type.prepare_input = ApprovalPolicyInput(*tenants_);  // the tenant record's approval policy
  return engine.RegisterType(type);
}

Status Registry::RegisterOnboarding(engine::Engine& engine) {
  Add<AccountActivity>(engine, kAccountActivity, engine.store(), *tenants_);
  AddReserved<RepositoryActivity>(engine, kRepositoryActivity, deps_);
  AddReserved<WebhookActivity>(engine, kWebhookActivity, deps_, engine.store());
  AddReserved<ProjectActivity>(engine, kDevProjectActivity, deps_, true);
  AddReserved<DevDeploymentActivity>(engine, kDevDeploymentActivity, deps_);
  AddReserved<DevDomainActivity>(engine, kDevDomainActivity, deps_);
  AddReserved<ProjectActivity>(engine, kProdProjectActivity, deps_, false);
  AddReserved<WelcomeEmailActivity>(engine, kWelcomeEmailActivity, deps_);
  AddReserved<TenantRecordActivity>(engine, kTenantRecordActivity, *tenants_,
                                    deps_.options.default_branch, deps_.mint_editor_token);
  return engine.RegisterType(OnboardingType(deps_.options));
}

Status Registry::RegisterRollback(engine::Engine& engine) {
  Add<ResolveRollbackActivity>(engine, kResolveRollbackActivity, *tenants_);
  Add<RollbackActivity>(engine, kRollbackActivity, deps_, *tenants_);
  return engine.RegisterType(RollbackType(deps_.options));
}

Status Registry::RegisterTemplateUpdate(engine::Engine& engine) {
  Add<PlanActivity>(engine, kPlanActivity, *tenants_);
  Add<FanoutActivity>(engine, kFanoutActivity, engine);
  return engine.RegisterType(TemplateUpdateType(deps_.options));
}

}  // namespace slipway::workflows
