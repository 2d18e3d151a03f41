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
  if (id.empty() || id.size() > 128) {
    return InvalidArgument(field, "must be 1 to 128 characters");
  }
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.' || c == ':';
    if (!ok) return InvalidArgument(field, "may only contain letters, digits and . _ : -");
  }
  return Status::Ok();
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
