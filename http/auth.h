// http/auth.h: bearer-token authentication and role-based authorisation.
//
// Tokens are never stored: the tokens file holds SHA-256 hashes,
//   [{"name": "alice", "role": "ops", "token_sha256": "<64 hex>"}, ...]
// and a request's token is hashed and compared against every entry in constant time.
// Roles: "ops" (everything), "auditor" (read-only, history and metrics included),
// "approver" (every tenant: read, stream, history, and the signals `approve` and `reject`;
// nothing else) and "tenant:<id>" (its own tenant only: start the allowed types, read,
// stream, history, cancel, signal; never resume, never approve or reject: a tenant does not
// approve its own deployments).
//
// The actor recorded in history for a principal is "<role>:<name>", e.g. "ops:alice" or
// "tenant:client1:client1-editor": the role says with which rights, the name which token.
//
// TokenStore is immutable after loading; thread-safe. Errors never contain tokens.
#pragma once

#include <array>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/base/status.h"

namespace slipway::http {

struct Principal {
  std::string name;
  std::string role;    // "ops" | "auditor" | "approver" | "tenant:<id>"
  std::string tenant;  // the <id> of a tenant role, else ""
  bool is_ops() const { return role == "ops"; }
  bool is_approver() const { return role == "approver"; }
  bool is_tenant() const { return !tenant.empty(); }
  std::string actor() const { return role + ":" + name; }
};

// What a route needs.
enum class Access {
  kPublic,   // no token needed
  kRead,     // get, list, history, stream
  kMetrics,  // ops and auditors
  kStart,
  kCancel,
  kResume,  // ops only
  kSignal,
  kAdmin,   // ops only: API tokens
};

class TokenStore {
 public:
  TokenStore() = default;
  // From the parsed tokens file. kInvalidArgument names the entry and field at fault.
  static Result<TokenStore> FromJson(const nlohmann::json& entries);
  // Reads and parses the tokens file. kNotFound, kInvalidArgument.
  static Result<TokenStore> LoadFile(const std::string& path);

  // The principal of an Authorization header value ("Bearer <token>").
  // kUnauthenticated when missing, malformed or unknown.
  Result<Principal> Authenticate(const std::string& authorization) const;
  // The principal of a token by its SHA-256 (constant time over the entries).
  // kUnauthenticated when unknown.
  Result<Principal> Find(const std::array<unsigned char, 32>& hash) const;
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    Principal principal;
    std::array<unsigned char, 32> hash;
  };
  std::vector<Entry> entries_;
};

// The SHA-256 of the token in an Authorization header value ("Bearer <token>").
// kUnauthenticated when missing or malformed.
Result<std::array<unsigned char, 32>> BearerTokenHash(const std::string& authorization);
// A principal from a token entry's name (1-64 of [A-Za-z0-9._@-]) and role (ops, auditor,
// approver, tenant:<id>). kInvalidArgument naming "name" or "role".
Result<Principal> MakePrincipal(const std::string& name, const std::string& role);

// Whether the principal's role may do `access` at all (tenant scoping comes after).
// kPermissionDenied otherwise.
Status Authorize(const Principal& p, Access access);
// Which signals the role may send: `approve` and `reject` need ops or approver; the others
// need ops or tenant. kPermissionDenied (field "name") otherwise.
Status AuthorizeSignal(const Principal& p, const std::string& signal);
// Tenant scoping of one workflow: ok for ops and auditors and for the workflow's own tenant;
// kNotFound for another tenant, so that ids do not leak.
Status CheckTenant(const Principal& p, const std::string& workflow_tenant);

}  // namespace slipway::http
