// workflows/domain_records.cc: custom domain ownership on the engine's store, compare-and-set.
#include "workflows/domain_records.h"

#include <nlohmann/json.hpp>

#include "engine/base/git_names.h"

namespace slipway::workflows {

using nlohmann::json;

namespace {
constexpr int kMaxConflictRetries = 16;
}  // namespace

Result<std::optional<std::string>> DomainRecords::Owner(const std::string& domain) {
  Result<storage::Record> rec = store_.GetRecord(kDomainNamespace, LowerHostName(domain));
  if (!rec.ok() && rec.status().code() == Code::kNotFound) return std::optional<std::string>();
  if (!rec.ok()) return rec.status();
  json j = json::parse(rec->value_json, nullptr, false);
  if (!j.is_object() || !j.contains("tenant") || !j["tenant"].is_string()) {
    return Corruption("domain record " + LowerHostName(domain) + " is not a JSON object");
  }
  return std::optional<std::string>(j["tenant"].get<std::string>());
}

Result<std::string> DomainRecords::Write(const std::string& domain, const std::string& tenant,
                                         const std::string& by, bool keep_other) {
  const std::string key = LowerHostName(domain);
  for (int i = 0; i < kMaxConflictRetries; ++i) {
    Result<storage::Record> rec = store_.GetRecord(kDomainNamespace, key);
    if (!rec.ok() && rec.status().code() != Code::kNotFound) return rec.status();
    std::string before;
    json j;
    if (rec.ok()) {
      j = json::parse(rec->value_json, nullptr, false);
      if (!j.is_object()) return Corruption("domain record " + key + " is not a JSON object");
      before = j.value("tenant", "");
    }
    if (before == tenant) {
      // This very move, done already: the owner before it, as recorded then.
      if (!keep_other && rec.ok() && j.value("by", "") == by) return j.value("previous_tenant", "");
      return before;
    }
    if (keep_other && !before.empty()) {
      return Permanent("domain " + key + " belongs to another tenant; ops can move it "
                       "(domain_transfer)");
    }
    int64_t version = rec.ok() ? rec->version : 0;
    json value = {{"domain", key}, {"tenant", tenant}, {"by", by}, {"previous_tenant", before}};
    Status st = store_.PutRecord({kDomainNamespace, key, value.dump(), 0}, version);
    if (st.ok()) return before;
    if (st.code() != Code::kConflict && st.code() != Code::kAlreadyExists) return st;
  }
  return Conflict("domain record " + key + " kept changing");
}

Status DomainRecords::Claim(const std::string& domain, const std::string& tenant,
                            const std::string& by) {
  Result<std::string> before = Write(domain, tenant, by, true);
  return before.ok() ? Status::Ok() : before.status();
}

Result<std::string> DomainRecords::Transfer(const std::string& domain, const std::string& tenant,
                                            const std::string& by) {
  return Write(domain, tenant, by, false);
}

}  // namespace slipway::workflows
