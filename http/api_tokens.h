// http/api_tokens.h: API tokens kept in the store, beside the tokens file: ops create, list
// and revoke them through /v1/tokens without a restart, on every node at once.
//
// All of them live in ONE store record (namespace "api_tokens", key "all"), written with the
// record's version as a compare-and-set, so a create or a revoke is one atomic write and two
// nodes never lose each other's change. Like the tokens file, the record holds SHA-256 hashes;
// a token ops create is returned once, by Create, and never stored or logged. A token a
// workflow mints (MintFor: an onboarding's editor token) has no one to hand it to at that
// moment, so its secret waits in the record until its one Reveal (ops), which erases it;
// lists and views never show it. A secret not revealed within kRevealWindowMs (7 days) is
// erased and its token revoked: by the next write, or by the next read that finds it.
//
// Authenticate reads the record at most once per `refresh_ms` (1 s by default) and answers
// from that snapshot: a new token works, and a revoked one stops working, on every node within
// a second, at one store read a second whatever the traffic. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/clock.h"
#include "engine/base/status.h"
#include "http/auth.h"
#include "storage/store.h"

namespace slipway::http {

struct ApiToken {
  std::string id;            // "tok_" + 16 hex digits: names it in lists and revocations
  std::string token_sha256;  // never shown by the API
  std::string name;
  std::string role;          // as in the tokens file: ops, auditor, approver, tenant:<id>
  TimeMs created_at_ms = 0;
  std::string created_by;    // the actor
  TimeMs revoked_at_ms = 0;  // 0: live
  std::string revoked_by;
  // Minted for a workflow (an onboarding's editor token): its id; "" for tokens ops created.
  std::string origin;
  // A minted token's secret until its one reveal (Reveal); never shown by lists or views.
  std::string pending_secret;
  TimeMs revealed_at_ms = 0;
  std::string revealed_by;
  // What the API shows: everything but the hash.
  nlohmann::json ToJson() const;
};

struct NewApiToken {
  ApiToken token;
  std::string secret;  // the bearer token: shown once
};

class ApiTokens {
 public:
  ApiTokens(storage::Store& store, Clock& clock, int64_t refresh_ms = 1000);

  // A fresh random token for `name` (1-64 of [A-Za-z0-9._@-]) with `role`. kInvalidArgument
  // naming "name" or "role"; kResourceExhausted past kMaxTokens live and revoked tokens.
  Result<NewApiToken> Create(const std::string& name, const std::string& role,
                             const std::string& actor);
  // Every token, oldest first (revoked ones included, marked).
  Result<std::vector<ApiToken>> List();
  // kNotFound for an unknown id; revoking a revoked token is ok (unchanged).
  Result<ApiToken> Revoke(const std::string& id, const std::string& actor);
  // The token minted for `origin` (a workflow id), made on the first call and the same one on
  // every later call (a retried step mints nothing new). Its secret is kept until Reveal.
  Result<ApiToken> MintFor(const std::string& origin, const std::string& name,
                           const std::string& role, const std::string& actor);
  // A minted token's secret, once: the stored copy is erased as it is returned.
  // kNotFound (unknown id), kFailedPrecondition (revealed already, revoked, or not minted).
  Result<NewApiToken> Reveal(const std::string& id, const std::string& actor);
  // The live token whose SHA-256 is `hash`: its principal; kUnauthenticated otherwise.
  Result<Principal> Authenticate(const std::array<unsigned char, 32>& hash);

  static constexpr size_t kMaxTokens = 10'000;
  static constexpr int64_t kRevealWindowMs = 7LL * 24 * 3600 * 1000;
  static constexpr const char* kNotRevealedActor = "slipway:not-revealed-in-7-days";

 private:
  struct Snapshot {
    std::vector<ApiToken> tokens;
    int64_t version = 0;  // the record's (0: none yet)
  };
  Result<Snapshot> Load();
  // A fresh token and its record (not stored yet).
  Result<NewApiToken> Make(const std::string& name, const std::string& role,
                           const std::string& actor);
  static Status CheckRoom(const std::vector<ApiToken>& all);
  // Erases the secrets of minted tokens past their reveal window and revokes those tokens;
  // true when one was.
  bool ExpireUnrevealed(std::vector<ApiToken>& all) const;
  // Authenticate's lookup; *sweep: the snapshot holds a secret past its reveal window.
  Result<Principal> Lookup(const std::array<unsigned char, 32>& hash, bool* sweep);
  // Applies `change` to the current tokens (after ExpireUnrevealed) and writes them, retrying
  // on a concurrent write. When `change` fails, the expiry alone is still written.
  Result<ApiToken> Update(const std::function<Result<ApiToken>(std::vector<ApiToken>&)>& change);

  storage::Store& store_;
  Clock& clock_;
  const int64_t refresh_ms_;
  std::mutex mu_;
  TimeMs read_at_ms_ = -1;
  std::map<std::string, Principal> live_;  // by hash (hex), from the last read
};

}  // namespace slipway::http
