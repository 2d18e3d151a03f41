// workflows/tenant_records.cc: tenant records on the engine's store, compare-and-set writes.
#include "workflows/tenant_records.h"

#include <algorithm>
#include <functional>

namespace slipway::workflows {

using nlohmann::json;

namespace {
constexpr int kMaxConflictRetries = 16;

Result<storage::Record> Load(storage::Store& store, const std::string& ns, const std::string& key) {
  return store.GetRecord(ns, key);
}
}  // namespace

json TenantRecord::ToJson() const {
  json j = {{"tenant", tenant},
          {"repo_id", repo_id},
          {"repo", repo},
          {"repo_full_name", repo_full_name},
          {"branch", branch},
          {"default_branch", default_branch},
          {"dev_project_id", dev_project_id},
          {"prod_project_id", prod_project_id},
          {"prod_project_name", prod_project_name},
          {"domains", domains},
          {"deployments", deployments},
          {"production_deployment", production_deployment}};
  if (require_approval) j["require_approval"] = true;
  if (approval_timeout_s > 0) j["approval_timeout_s"] = approval_timeout_s;
  if (!lighthouse_thresholds.empty()) j["lighthouse_thresholds"] = lighthouse_thresholds;
  return j;
}

Result<TenantRecord> TenantRecord::FromJson(const json& j) {
  if (!j.is_object()) return Corruption("tenant record is not a JSON object");
  try {
    TenantRecord r;
    r.tenant = j.value("tenant", "");
    r.repo_id = j.value("repo_id", int64_t{0});
    r.repo = j.value("repo", "");
    r.repo_full_name = j.value("repo_full_name", "");
    r.branch = j.value("branch", "");
    r.default_branch = j.value("default_branch", "");
    if (!j.contains("default_branch")) std::swap(r.branch, r.default_branch);
    r.dev_project_id = j.value("dev_project_id", "");
    r.prod_project_id = j.value("prod_project_id", "");
    r.prod_project_name = j.value("prod_project_name", "");
    r.domains = j.value("domains", std::vector<std::string>{});
    r.deployments = j.value("deployments", std::vector<std::string>{});
    r.production_deployment = j.value("production_deployment", "");
    r.require_approval = j.value("require_approval", false);
    r.approval_timeout_s = j.value("approval_timeout_s", int64_t{0});
    r.lighthouse_thresholds =
        j.value("lighthouse_thresholds", std::map<std::string, int>{});
    return r;
  } catch (const json::exception& e) {
    return Corruption(std::string("tenant record: ") + e.what());
  }
}

Result<std::optional<TenantRecord>> TenantRecords::Get(const std::string& tenant) {
  Result<storage::Record> rec = Load(store_, kTenantNamespace, tenant);
  if (!rec.ok() && rec.status().code() == Code::kNotFound) return std::optional<TenantRecord>();
  if (!rec.ok()) return rec.status();
  Result<TenantRecord> r = TenantRecord::FromJson(json::parse(rec->value_json, nullptr, false));
  if (!r.ok()) return r.status();
  return std::optional<TenantRecord>(*r);
}

Result<TenantRecord> TenantRecords::Require(const std::string& tenant) {
  Result<std::optional<TenantRecord>> r = Get(tenant);
  if (!r.ok()) return r.status();
  if (!r->has_value()) return NotFound("tenant " + tenant + " is not onboarded");
  return **r;
}

Status TenantRecords::Create(const TenantRecord& record) {
  storage::Record rec{kTenantNamespace, record.tenant, record.ToJson().dump(), 0};
  Status st = store_.PutRecord(rec, 0);
  if (st.code() == Code::kConflict || st.code() == Code::kAlreadyExists) {
    Result<std::optional<TenantRecord>> existing = Get(record.tenant);
    if (!existing.ok()) return existing.status();
    TenantRecord same = record;  // the policy is ops' to change after creation
    if (existing->has_value()) {
      same.require_approval = (*existing)->require_approval;
      same.approval_timeout_s = (*existing)->approval_timeout_s;
      same.lighthouse_thresholds = (*existing)->lighthouse_thresholds;
    }
    if (!existing->has_value() || (*existing)->ToJson() != same.ToJson()) {
      return AlreadyExists("tenant " + record.tenant + " already has a record");
    }
    st = Status::Ok();
  }
  return st;
}

Status TenantRecords::Update(const std::string& tenant, const Mutate& mutate) {
  for (int i = 0; i < kMaxConflictRetries; ++i) {
    Result<storage::Record> rec = Load(store_, kTenantNamespace, tenant);
    if (!rec.ok()) return rec.status();
    Result<TenantRecord> r = TenantRecord::FromJson(json::parse(rec->value_json, nullptr, false));
    if (!r.ok()) return r.status();
    TenantRecord next = *r;
    mutate(next);
    if (next.ToJson() == r->ToJson()) return Status::Ok();
    storage::Record out{kTenantNamespace, tenant, next.ToJson().dump(), rec->version};
    Status st = store_.PutRecord(out, rec->version);
    if (st.code() != Code::kConflict) return st;
  }
  return Conflict("tenant record " + tenant + " kept changing");
}

Status TenantRecords::RecordProduction(const std::string& tenant, const std::string& id) {
  return Update(tenant, [&](TenantRecord& r) {
    if (std::find(r.deployments.begin(), r.deployments.end(), id) == r.deployments.end()) {
      r.deployments.push_back(id);
    }
    r.production_deployment = id;
  });
}

Status TenantRecords::RecordRollback(const std::string& tenant, const std::string& id) {
  return Update(tenant, [&](TenantRecord& r) { r.production_deployment = id; });
}

Status TenantRecords::SetApprovalPolicy(const std::string& tenant,
                                       std::optional<bool> require_approval,
                                       std::optional<int64_t> approval_timeout_s) {
  return Update(tenant, [&](TenantRecord& r) {
    if (require_approval) r.require_approval = *require_approval;
    if (approval_timeout_s) r.approval_timeout_s = *approval_timeout_s;
  });
}

Status TenantRecords::SetLighthouseThresholds(const std::string& tenant,
                                              const std::map<std::string, int>& thresholds) {
  return Update(tenant, [&](TenantRecord& r) { r.lighthouse_thresholds = thresholds; });
}

Status CheckLighthouseThresholds(const json& value, const std::string& field) {
  static const char* const kCategories[] = {"performance", "accessibility", "best-practices",
                                            "seo"};
  if (!value.is_object()) return InvalidArgument(field, "must be an object of category: 0..100");
  for (const auto& [key, v] : value.items()) {
    if (std::find(std::begin(kCategories), std::end(kCategories), key) == std::end(kCategories)) {
      return InvalidArgument(field, "categories are performance, accessibility, best-practices, seo");
    }
    if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > 100) {
      return InvalidArgument(field, key + " must be an integer from 0 to 100");
    }
  }
  return Status::Ok();
}

Result<std::vector<std::string>> TenantRecords::All() {
  std::vector<std::string> tenants;
  SLIPWAY_RETURN_IF_ERROR(storage::ForEachRecord(store_, kTenantNamespace,
                                                 [&](const storage::Record& r) {
                                                   tenants.push_back(r.key);
                                                   return Status::Ok();
                                                 }));
  return tenants;
}

}  // namespace slipway::workflows
