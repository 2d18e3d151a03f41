// workflows/activities/onboarding_activities.h: the onboarding workflow's steps, one adapter
// each. Every one is repeatable: it finds its own earlier effect (the clients look before they
// create; deployments are keyed by the step's idempotency key; records are compare-and-set).
//
//   account          reserves the tenant id: an "account" record {tenant, email, workflow,
//                    previous_workflows}; refused (kFailedPrecondition) when the tenant already
//                    has a tenant record or another workflow holds the reservation and has not
//                    ended. A holder that ended `failed` or `cancelled` (no tenant came of it) is
//                    taken over: its id is appended to previous_workflows.
//                                                  Output: tenant, email, took_over_from (if so)
//   repository       the tenant repository from the template.       Output: repo_id, repo,
//                                                                  full_name, default_branch, html_url
//   webhook          push webhook to WorkflowOptions::webhook_url (SLIPWAY_PUBLIC_URL +
//                    /v1/webhooks/github), signed with the tenant's secret (webhook_secrets.h,
//                    created first, never in the output); found by URL before it is created.
//                    Skipped, with the reason, when no URL is configured.
//                                                  Output: hook_id, url, created
//   dev_project      "<tenant>-dev" project with env SLIPWAY_TENANT_ID and SLIPWAY_REPO.
//   prod_project     "<tenant>" project, same env.                  Output: project_id, name
//   dev_deployment   a deployment of the dev project from the default branch, until READY.
//   dev_domain       <tenant>-dev.<SLIPWAY_BASE_DOMAIN> on the dev project (not waited for).
//   Every step after `account` runs behind a ReservationGuard: a workflow whose reservation was
//   taken over (then resumed by ops) fails with kPermanent instead of acting for the tenant.
//   record           the tenant record (TenantRecords::Create). Its production branch is
//                    WorkflowOptions::default_branch ("production"), cut from the repository's
//                    default branch by the first deployment's `save`.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "engine/activity.h"
#include "storage/store.h"
#include "workflows/deps.h"
#include "workflows/tenant_records.h"
#include "workflows/webhook_secrets.h"

namespace slipway::workflows {

inline constexpr const char* kAccountNamespace = "account";

class AccountActivity : public engine::Activity {
 public:
  AccountActivity(storage::Store& store, TenantRecords& tenants) : store_(store), tenants_(tenants) {}
  Result<nlohmann::json> Run(const engine::ActivityCall& call) override;

 private:
  // Writes or takes over the reservation; returns the id it was taken over from, or "".
  Result<std::string> Reserve(const engine::ActivityCall& call, const nlohmann::json& account);

  storage::Store& store_;
  TenantRecords& tenants_;
};

// Runs `inner` only while the calling workflow holds the tenant's reservation (see above).
class ReservationGuard : public engine::Activity {
 public:
  ReservationGuard(engine::Activity& inner, storage::Store& store) : inner_(inner), store_(store) {}
  Result<nlohmann::json> Run(const engine::ActivityCall& call) override;

 private:
  engine::Activity& inner_;
  storage::Store& store_;
};

class RepositoryActivity : public engine::Activity {
 public:
  explicit RepositoryActivity(const WorkflowDeps& deps) : deps_(deps) {}
  Result<nlohmann::json> Run(const engine::ActivityCall& call) override;

 private:
  const WorkflowDeps& deps_;
};

class WebhookActivity : public engine::Activity {
 public:
  WebhookActivity(const WorkflowDeps& deps, storage::Store& store)
      : deps_(deps), secrets_(store) {}
  Result<nlohmann::json> Run(const engine::ActivityCall& call) override;

 private:
  const WorkflowDeps& deps_;
  WebhookSecrets secrets_;
};

class ProjectActivity : public engine::Activity {
 public:
  // dev: the "<tenant>-dev" editor project; else the production project "<tenant>".
  ProjectActivity(const WorkflowDeps& deps, bool dev) : deps_(deps), dev_(dev) {}
  Result<nlohmann::json> Run(const engine::ActivityCall& call) override;

 private:
  const WorkflowDeps& deps_;
  bool dev_;
};

class DevDeploymentActivity : public engine::Activity {
 public:
  explicit DevDeploymentActivity(const WorkflowDeps& deps) : deps_(deps) {}
  Result<nlohmann::json> Run(const engine::ActivityCall& call) override;

 private:
  const WorkflowDeps& deps_;
};

class DevDomainActivity : public engine::Activity {
 public:
  explicit DevDomainActivity(const WorkflowDeps& deps) : deps_(deps) {}
  Result<nlohmann::json> Run(const engine::ActivityCall& call) override;

 private:
  const WorkflowDeps& deps_;
};

class TenantRecordActivity : public engine::Activity {
 public:
  TenantRecordActivity(TenantRecords& tenants, std::string production_branch,
                       EditorTokenMinter mint_editor_token)
      : tenants_(tenants),
        production_branch_(std::move(production_branch)),
        mint_editor_token_(std::move(mint_editor_token)) {}
  Result<nlohmann::json> Run(const engine::ActivityCall& call) override;

 private:
  TenantRecords& tenants_;
  const std::string production_branch_;
  const EditorTokenMinter mint_editor_token_;
};

// "<tenant>-dev.<base_domain>".
std::string DevDomainOf(const std::string& tenant, const std::string& base_domain);

}  // namespace slipway::workflows
