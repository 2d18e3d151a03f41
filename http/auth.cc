// http/auth.cc: tokens file loading, bearer authentication, the role table.
#include "http/auth.h"

#include <openssl/evp.h>

#include <cctype>
#include <fstream>
#include <sstream>

#include "engine/base/ids.h"
#include "http/errors.h"

namespace slipway::http {

using nlohmann::json;

namespace {

constexpr size_t kMaxTokenLength = 4096;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool ParseHash(const std::string& hex, std::array<unsigned char, 32>& out) {
  if (hex.size() != 64) return false;
  for (size_t i = 0; i < 32; ++i) {
    int hi = HexValue(hex[2 * i]);
    int lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  return true;
}

// SHA-256 of a presented token. The digest is fetched from OpenSSL once: EVP_sha256() would
// make every call look it up again under OpenSSL 3's global lock, which showed up in the
// status-polling profile (every request authenticates).
bool TokenDigest(const std::string& token, std::array<unsigned char, 32>& out) {
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  unsigned int len = 0;
  return kSha256 != nullptr &&
         EVP_Digest(token.data(), token.size(), out.data(), &len, kSha256, nullptr) == 1 &&
         len == out.size();
}

// Compares every byte whatever the first difference, so timing says nothing about the hash.
bool ConstantTimeEqual(const std::array<unsigned char, 32>& a,
                       const std::array<unsigned char, 32>& b) {
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == '@';
    if (!ok) return false;
  }
  return true;
}

Status ParseRole(const std::string& role, Principal& p) {
  p.role = role;
  if (role == "ops" || role == "auditor" || role == "approver") return Status::Ok();
  const std::string prefix = "tenant:";
  if (role.compare(0, prefix.size(), prefix) == 0) {
    p.tenant = role.substr(prefix.size());
    return ValidateTenantId(p.tenant, "role");
  }
  return InvalidArgument("role", "role must be ops, auditor, approver or tenant:<id>");
}

}  // namespace

Result<TokenStore> TokenStore::FromJson(const json& entries) {
  if (!entries.is_array()) return InvalidArgument("tokens", "tokens file must be a JSON array");
  TokenStore store;
  for (size_t i = 0; i < entries.size(); ++i) {
    const json& e = entries[i];
    const std::string where = "tokens[" + std::to_string(i) + "]";
    if (!e.is_object()) return InvalidArgument(where, "entry must be an object");
    for (const auto& [key, value] : e.items()) {
      if (key != "name" && key != "role" && key != "token_sha256") {
        return InvalidArgument(where + "." + key, "unknown field");
      }
      if (!value.is_string()) return InvalidArgument(where + "." + key, "must be a string");
    }
    Entry entry;
    entry.principal.name = e.value("name", "");
    if (!ValidName(entry.principal.name)) {
      return InvalidArgument(where + ".name", "name is 1-64 characters of [A-Za-z0-9._@-]");
    }
    Status role = ParseRole(e.value("role", ""), entry.principal);
    if (!role.ok()) return InvalidArgument(where + ".role", role.message());
    if (!ParseHash(e.value("token_sha256", ""), entry.hash)) {
      return InvalidArgument(where + ".token_sha256", "must be 64 hex digits (SHA-256)");
    }
    for (const Entry& other : store.entries_) {
      if (other.hash == entry.hash) return InvalidArgument(where, "duplicate token hash");
    }
    store.entries_.push_back(std::move(entry));
  }
  return store;
}

Result<TokenStore> TokenStore::LoadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("cannot read the tokens file " + path);
  std::stringstream text;
  text << in.rdbuf();
  json entries = json::parse(text.str(), nullptr, false);
  if (entries.is_discarded()) return InvalidArgument("tokens", "tokens file is not valid JSON");
  return FromJson(entries);
}

Result<Principal> MakePrincipal(const std::string& name, const std::string& role) {
  Principal p;
  p.name = name;
  if (!ValidName(name)) return InvalidArgument("name", "name is 1-64 characters of [A-Za-z0-9._@-]");
  SLIPWAY_RETURN_IF_ERROR(ParseRole(role, p));
  return p;
}

Result<Principal> TokenStore::Authenticate(const std::string& authorization) const {
  Result<std::array<unsigned char, 32>> hash = BearerTokenHash(authorization);
  if (!hash.ok()) return hash.status();
  return Find(*hash);
}

Result<Principal> TokenStore::Find(const std::array<unsigned char, 32>& hash) const {
  const Entry* found = nullptr;
  for (const Entry& e : entries_) {
    if (ConstantTimeEqual(e.hash, hash)) found = &e;
  }
  if (found == nullptr) return Unauthenticated("unknown token");
  return found->principal;
}

Result<std::array<unsigned char, 32>> BearerTokenHash(const std::string& authorization) {
  const std::string scheme = "bearer ";
  if (authorization.size() <= scheme.size()) return Unauthenticated("missing bearer token");
  for (size_t i = 0; i < scheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != scheme[i]) {
      return Unauthenticated("Authorization must be 'Bearer <token>'");
    }
  }
  const std::string token = authorization.substr(scheme.size());
  std::array<unsigned char, 32> hash{};
  if (token.size() > kMaxTokenLength || !TokenDigest(token, hash)) {
    return Unauthenticated("unknown token");
  }
  return hash;
}

Status Authorize(const Principal& p, Access access) {
  bool allowed = false;
  switch (access) {
    case Access::kPublic:
      allowed = true;
      break;
    case Access::kRead:
      allowed = true;
      break;  // every role reads (tenants: their own)
    case Access::kMetrics:
      allowed = p.is_ops() || p.role == "auditor";
      break;
    case Access::kStart:
    case Access::kCancel:
      allowed = p.is_ops() || p.is_tenant();
      break;
    case Access::kSignal:  // which signal: AuthorizeSignal
      allowed = p.is_ops() || p.is_tenant() || p.is_approver();
      break;
    case Access::kResume:
    case Access::kAdmin:
      allowed = p.is_ops();
      break;
  }
  if (allowed) return Status::Ok();
  return PermissionDenied("role " + p.role + " may not do this");
}

Status AuthorizeSignal(const Principal& p, const std::string& signal) {
  if (p.is_ops()) return Status::Ok();
  const bool decision = signal == "approve" || signal == "reject";
  if (decision && p.is_approver()) return Status::Ok();
  if (!decision && p.is_tenant()) return Status::Ok();
  return Status(Code::kPermissionDenied,
                decision ? "approving or rejecting needs the ops or approver role"
                         : "role " + p.role + " may send only approve and reject",
                "name");
}

Status CheckTenant(const Principal& p, const std::string& workflow_tenant) {
  if (!p.is_tenant() || p.tenant == workflow_tenant) return Status::Ok();
  return NotFound("no such workflow");
}

}  // namespace slipway::http
