// workflows/activities/domain_activity.h: custom domains of a release, attached after
// promotion so that a domain whose DNS is not set yet never holds the tenant's deployment
// queue.
//
// DomainActivity is the deployment's `domain` step (after `promote`). It first claims
// input.custom_domain for the tenant (domain_records.h): a domain another tenant owns, or one
// under the base domain, fails the step with kPermanent before anything reaches Vercel. It then
// attaches the domain to the production project and asks Vercel to verify it once. Verified:
// done. Pending: it starts (idempotently) the domain's own watch, a "domain_watch" workflow
// (domain_watch_workflow.h) that rechecks it on durable timers until its deadline, and the
// deployment completes with the records to set. A watch of an earlier visit that failed is
// resumed. Output: domain, verified, status ("verified" | "pending"), dns_records
// [{type,domain,value,reason}], watch_id and watch_status when pending.
//
// DomainCheckActivity is the watch's `check` step: verified -> {domain, status: "verified"};
// still pending -> kUnavailable naming the DNS records (the watch's retry policy rechecks it).
// The Engine must outlive the activities; they call it from their worker thread.
#pragma once

#include <nlohmann/json.hpp>

#include "engine/activity.h"
#include "engine/engine.h"
#include "workflows/deps.h"
#include "workflows/domain_records.h"

namespace slipway::workflows {

class DomainActivity : public engine::Activity {
 public:
  DomainActivity(const WorkflowDeps& deps, DomainRecords& domains, engine::Engine& engine)
      : deps_(deps), domains_(domains), engine_(engine) {}
  Result<nlohmann::json> Run(const engine::ActivityCall& call) override;

 private:
  // Starts the domain's watch (or finds it; resumes it when it had failed). Its status.
  Result<std::string> Watch(const engine::ActivityCall& call, const std::string& domain,
                            const std::string& project);

  const WorkflowDeps& deps_;
  DomainRecords& domains_;
  engine::Engine& engine_;
};

class DomainCheckActivity : public engine::Activity {
 public:
  explicit DomainCheckActivity(const WorkflowDeps& deps) : deps_(deps) {}
  Result<nlohmann::json> Run(const engine::ActivityCall& call) override;

 private:
  const WorkflowDeps& deps_;
};

}  // namespace slipway::workflows
