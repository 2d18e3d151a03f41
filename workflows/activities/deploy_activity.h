// workflows/activities/deploy_activity.h: the deployment's `deploy` and `domain` steps.
//
// DeployActivity creates the production deployment of the validated commit on the tenant's
// production project and waits (real time, cancellable) until Vercel reports READY; it makes
// sure that deployment serves production (a promote after an earlier rollback) and notes it in
// the tenant record. Vercel's deployment key is the step's idempotency key plus "#d<n>": an
// attempt first finds the deployments earlier attempts made; one still building or READY is
// taken over, one that ended in ERROR makes the attempt try the next <n>. So a retry never makes
// a second deployment for the same try, and a deployment that failed is retried with a new one.
// ERROR/CANCELED is kUnavailable (retried per the step's policy) carrying Vercel's error.
// Output: deployment_id, url, ready_state, sha, previous_deployment_id, created.
//
// DomainActivity first claims input.custom_domain for the tenant (domain_records.h): a domain
// another tenant owns, or one under the base domain, fails the step with kPermanent before
// anything reaches Vercel. It then attaches the domain to the production project and asks Vercel to
// verify it. Output: domain, verified, status ("verified" | "pending"), dns_records
// [{type,domain,value,reason}], pending_since (ms, from the first pending check). Pending past
// WorkflowOptions::domain_deadline_ms is kPermanent naming the records to set.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "engine/activity.h"
#include "workflows/deps.h"
#include "workflows/domain_records.h"
#include "workflows/tenant_records.h"

namespace slipway::workflows {

class DeployActivity : public engine::Activity {
 public:
  DeployActivity(const WorkflowDeps& deps, TenantRecords& tenants) : deps_(deps), tenants_(tenants) {}
  Result<nlohmann::json> Run(const engine::ActivityCall& call) override;

 private:
  Status ServeProduction(const std::string& project_id, const std::string& deployment_id);

  const WorkflowDeps& deps_;
  TenantRecords& tenants_;
};

class DomainActivity : public engine::Activity {
 public:
  DomainActivity(const WorkflowDeps& deps, DomainRecords& domains) : deps_(deps), domains_(domains) {}
  Result<nlohmann::json> Run(const engine::ActivityCall& call) override;

 private:
  const WorkflowDeps& deps_;
  DomainRecords& domains_;
};

// Creates the deployment `spec` describes (or finds the one an earlier attempt made, keyed by
// call.idempotency_key + "#d<n>", see DeployActivity) and waits until it is READY. A deployment
// that ended in ERROR/CANCELED is kUnavailable carrying Vercel's error.
Result<activities::VercelDeployment> DeployUntilReady(const WorkflowDeps& deps,
                                                      const engine::ActivityCall& call,
                                                      activities::DeploymentSpec spec);

// The commit the deployment validated: revalidate's when it ran, else validate's.
std::string ValidatedSha(const engine::ActivityCall& call);
// DNS records as JSON (persisted keys: type, domain, value, reason).
nlohmann::json DnsRecordsJson(const std::vector<activities::DnsRecord>& records);

}  // namespace slipway::workflows
