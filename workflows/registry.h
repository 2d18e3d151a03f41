// workflows/registry.h: registers every workflow type (deployment, onboarding, rollback,
// template_update, domain_watch, ...) and every activity adapter they run on an Engine. Used by
// the server's main() and by tests.
//
// The Registry owns the activity adapters and the tenant records helper; the engine keeps
// references to them, so the Registry must outlive the engine (destroy the engine first).
// RegisterAll is called once per engine, before the engine runs anything.
#pragma once

#include <memory>
#include <vector>

#include "engine/activity.h"
#include "engine/engine.h"
#include "workflows/deps.h"
#include "workflows/domain_records.h"
#include "workflows/tenant_records.h"

namespace slipway::workflows {

class Registry {
 public:
  explicit Registry(WorkflowDeps deps) : deps_(std::move(deps)) {}
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Errors: kInvalidArgument when a required dependency is missing, or the engine's own
  // registration errors (kAlreadyExists for a second call).
  Status RegisterAll(engine::Engine& engine);
  // Valid after RegisterAll.
  TenantRecords& tenants() { return *tenants_; }
  const WorkflowDeps& deps() const { return deps_; }
  // Where onboarding points tenant webhooks (WorkflowOptions::webhook_url), for a server that
  // learns its own URL only once it listens. Requires: no activity has run yet.
  void SetWebhookUrl(std::string url) { deps_.options.webhook_url = std::move(url); }

 private:
  template <class A, class... Args>
  void Add(engine::Engine& engine, const char* name, Args&&... args);
  // Registers A behind a ReservationGuard (onboarding steps after `account`).
  template <class A, class... Args>
  void AddReserved(engine::Engine& engine, const char* name, Args&&... args);
  // Registers A behind a ParentCancelGuard (deployment steps up to `deploy`).
  template <class A, class... Args>
  void AddChildStep(engine::Engine& engine, const char* name, Args&&... args);
  Status RegisterDeployment(engine::Engine& engine);
  Status RegisterOnboarding(engine::Engine& engine);
  Status RegisterRollback(engine::Engine& engine);
  Status RegisterTemplateUpdate(engine::Engine& engine);

  WorkflowDeps deps_;
  std::unique_ptr<TenantRecords> tenants_;
  std::unique_ptr<DomainRecords> domains_;
  std::vector<std::unique_ptr<engine::Activity>> owned_;
};

}  // namespace slipway::workflows
