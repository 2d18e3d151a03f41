// workflows/tenant_records.h: the tenant record (what onboarding created: repository, Vercel
// projects, domains, production deployments) kept in the engine's store, namespace "tenant",
// one record per tenant (key: the tenant id). All() pages through the namespace. (Earlier
// versions also kept an index record listing every tenant, "tenant_index"/"all", rewritten
// whole by every onboarding; it is no longer read or written.)
//
// Only workflows/ touches these records; activities/ never see the store. Writes are
// compare-and-set on the record version, retried on conflict, and idempotent (writing what is
// already there changes nothing). JSON keys are persisted names. Thread-safe (the store is).
//
// The record also holds the tenant's approval policy, which ops set (tenant_settings workflow)
// and the tenant cannot: whether its deployments wait for `approve` before `deploy`, and how
// long that wait lasts. Keys "require_approval" / "approval_timeout_s" appear only when set.
// Likewise "lighthouse_thresholds" (ops only): Lighthouse category id -> minimum score 0..100
// for its deployments' verify, over the defaults (performance 80).
#pragma once

#include <nlohmann/json.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/status.h"
#include "storage/store.h"

namespace slipway::workflows {

inline constexpr const char* kTenantNamespace = "tenant";

struct TenantRecord {
  std::string tenant;
  int64_t repo_id = 0;
  std::string repo;        // name under the GitHub owner
  std::string repo_full_name;
  std::string branch;          // production branch: deployments commit to and deploy it
  std::string default_branch;  // the repository's default branch, the production branch's origin
  std::string dev_project_id;
  std::string prod_project_id;
  std::string prod_project_name;
  std::vector<std::string> domains;
  // Production deployments that reached READY through Slipway, oldest first.
  std::vector<std::string> deployments;
  std::string production_deployment;  // what serves production now (after rollbacks too)
  // Approval policy (ops only): the gate before `deploy`, and its deadline (0: none).
  bool require_approval = false;
  int64_t approval_timeout_s = 0;
  std::map<std::string, int> lighthouse_thresholds;  // empty: the defaults

  nlohmann::json ToJson() const;
  // Records written before default_branch existed stored the repository's default branch as
  // `branch`: it is read as default_branch, with `branch` empty (the configured production
  // branch, WorkflowOptions::default_branch, applies).
  static Result<TenantRecord> FromJson(const nlohmann::json& j);
};

// A lighthouse_thresholds value (tenant settings, deployment input): an object of Lighthouse
// category ids ("performance", "accessibility", "best-practices", "seo") -> integers 0..100.
// kInvalidArgument naming `field` otherwise.
Status CheckLighthouseThresholds(const nlohmann::json& value, const std::string& field);

class TenantRecords {
 public:
  explicit TenantRecords(storage::Store& store) : store_(store) {}

  // nullopt when the tenant has no record.
  Result<std::optional<TenantRecord>> Get(const std::string& tenant);
  // kNotFound when the tenant has no record (with a message fit for the editor).
  Result<TenantRecord> Require(const std::string& tenant);
  // Creates the record (and indexes the tenant). The same record again is ok;
  // a different one is kAlreadyExists.
  Status Create(const TenantRecord& record);
  // Notes a READY production deployment (appended once) and that it now serves production.
  Status RecordProduction(const std::string& tenant, const std::string& deployment_id);
  // Notes a rollback: `deployment_id` serves production again.
  Status RecordRollback(const std::string& tenant, const std::string& deployment_id);
  // Sets the approval policy; a field left nullopt keeps its value. kNotFound: no record.
  Status SetApprovalPolicy(const std::string& tenant, std::optional<bool> require_approval,
                           std::optional<int64_t> approval_timeout_s);
  // Replaces the Lighthouse thresholds (empty: back to the defaults). kNotFound: no record.
  Status SetLighthouseThresholds(const std::string& tenant,
                                 const std::map<std::string, int>& thresholds);
  // Every tenant with a record, in bytewise id order.
  Result<std::vector<std::string>> All();

 private:
  using Mutate = std::function<void(TenantRecord&)>;
  Status Update(const std::string& tenant, const Mutate& mutate);

  storage::Store& store_;
};

}  // namespace slipway::workflows
