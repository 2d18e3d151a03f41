// workflows/webhook_secrets.cc: webhook secret records and the receiver's tenant lookup.
#include "workflows/webhook_secrets.h"

#include <nlohmann/json.hpp>

#include "engine/base/hmac.h"
#include "engine/base/ids.h"
#include "workflows/tenant_records.h"

namespace slipway::workflows {

using nlohmann::json;

namespace {
constexpr int kMaxConflictRetries = 8;
constexpr size_t kSecretBytes = 32;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

Result<WebhookSecret> Parse(const storage::Record& rec) {
  json j = json::parse(rec.value_json, nullptr, false);
  if (!j.is_object() || !j.contains("secret") || !j["secret"].is_string()) {
    return Corruption("webhook secret record of " + rec.key + " is malformed");
  }
  return WebhookSecret{j["secret"].get<std::string>(), j.value("repo_full_name", "")};
}
}  // namespace

Result<std::string> WebhookSecrets::Ensure(const std::string& tenant,
                                           const std::string& repo_full_name) {
  for (int i = 0; i < kMaxConflictRetries; ++i) {
    Result<storage::Record> rec = store_.GetRecord(kWebhookSecretNamespace, tenant);
    if (!rec.ok() && rec.status().code() != Code::kNotFound) return rec.status();
    std::string secret;
    int64_t version = 0;
    if (rec.ok()) {
      Result<WebhookSecret> stored = Parse(*rec);
      if (!stored.ok()) return stored.status();
      if (stored->repo_full_name == repo_full_name) return stored->secret;
      secret = stored->secret;
      version = rec->version;
    } else {
      Result<std::string> fresh = RandomSecretHex(kSecretBytes);
      if (!fresh.ok()) return fresh.status();
      secret = *fresh;
    }
    json value = {{"secret", secret}, {"repo_full_name", repo_full_name}};
    Status put = store_.PutRecord({kWebhookSecretNamespace, tenant, value.dump(), 0}, version);
    if (put.ok()) return secret;
    if (put.code() != Code::kConflict && put.code() != Code::kAlreadyExists) return put;
  }
  return Conflict("the webhook secret of tenant " + tenant + " kept changing");
}

Result<std::optional<WebhookSecret>> WebhookSecrets::Get(const std::string& tenant) {
  Result<storage::Record> rec = store_.GetRecord(kWebhookSecretNamespace, tenant);
  if (!rec.ok() && rec.status().code() == Code::kNotFound) return std::optional<WebhookSecret>();
  if (!rec.ok()) return rec.status();
  Result<WebhookSecret> s = Parse(*rec);
  if (!s.ok()) return s.status();
  return std::optional<WebhookSecret>(*s);
}

std::string EditorBranch(const std::string& repo_default_branch) {
  return repo_default_branch.empty() ? "main" : repo_default_branch;
}

Result<WebhookTarget> FindWebhookTarget(storage::Store& store, const WorkflowOptions& options,
                                        const std::string& repo_full_name) {
  const size_t slash = repo_full_name.find('/');
  const std::string tenant =
      slash == std::string::npos ? "" : Lower(repo_full_name.substr(slash + 1));
  if (tenant.empty() || !ValidateTenantId(tenant).ok()) {
    return NotFound("no tenant has that repository");
  }
  WebhookSecrets secrets(store);
  Result<std::optional<WebhookSecret>> s = secrets.Get(tenant);
  if (!s.ok()) return s.status();
  if (!s->has_value() || Lower((*s)->repo_full_name) != Lower(repo_full_name)) {
    return NotFound("no tenant has that repository");
  }
  WebhookTarget target{tenant, (*s)->secret, ""};
  Result<std::optional<TenantRecord>> record = TenantRecords(store).Get(tenant);
  if (!record.ok()) return record.status();
  if (record->has_value()) target.editor_branch = EditorBranch((*record)->default_branch);
  return target;
}

}  // namespace slipway::workflows
