#include "engine/base/ids.h"

#include <random>

namespace slipway {

namespace {
constexpr char kBase32[] = "0123456789abcdefghjkmnpqrstvwxyz";
}

std::string NewWorkflowId(TimeMs now) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string id = "wf_";
  // 10 characters of time (ms, big-endian base32) then 16 random ones.
  uint64_t t = static_cast<uint64_t>(now);
  char time_part[10];
  for (int i = 9; i >= 0; --i) {
    time_part[i] = kBase32[t & 31];
    t >>= 5;
  }
  id.append(time_part, 10);
  for (int i = 0; i < 16; ++i) id.push_back(kBase32[rng() & 31]);
  return id;
}

Status ValidateWorkflowId(const std::string& id, const std::string& field) {
  if (id.empty() || id.size() > kMaxWorkflowIdLength) {
    return InvalidArgument(field, "must be 1 to 256 characters");
  }
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.' || c == ':';
    if (!ok) return InvalidArgument(field, "may only contain letters, digits and . _ : -");
  }
  return Status::Ok();
}

Result<std::string> ScopeClientWorkflowId(const std::string& tenant, const std::string& id) {
  if (id.empty()) return std::string();
  std::string name = id;
  const size_t colon = id.find(':');
  if (colon != std::string::npos) {
    if (id.compare(0, colon, tenant) != 0 || colon != tenant.size()) {
      return InvalidArgument("id", "an id is '<name>' or '" + tenant +
                                       ":<name>': its namespace is the request's tenant");
    }
    name = id.substr(colon + 1);
  }
  if (name.empty() || name.size() > kMaxClientIdLength) {
    return InvalidArgument("id", "the name of an id must be 1 to 128 characters");
  }
  if (name.find(':') != std::string::npos) {
    return InvalidArgument("id", "the name of an id may not contain ':'");
  }
  SLIPWAY_RETURN_IF_ERROR(ValidateWorkflowId(name));
  return tenant + ":" + name;
}

Status CheckWorkflowIdTenant(const std::string& id, const std::string& tenant) {
  const size_t colon = id.find(':');
  if (colon == std::string::npos || (colon == tenant.size() && id.compare(0, colon, tenant) == 0)) {
    return Status::Ok();
  }
  return InvalidArgument("id", "an id's namespace (before the first ':') must be its tenant");
}

Status ValidateTenantId(const std::string& tenant, const std::string& field) {
  if (tenant.empty() || tenant.size() > 39) {
    return InvalidArgument(field, "must be 1 to 39 characters");
  }
  for (char c : tenant) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return InvalidArgument(field, "must be a lowercase DNS label: a-z, 0-9 and '-'");
  }
  if (tenant.front() == '-' || tenant.back() == '-') {
    return InvalidArgument(field, "must not start or end with '-'");
  }
  return Status::Ok();
}

}  // namespace slipway
