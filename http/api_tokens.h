// http/api_tokens.h: API tokens kept in the store, beside the tokens file: ops create, list
// and revoke them through /v1/tokens without a restart, on every node at once.
//
// One store record per token (namespace "api_token", key = the SHA-256 hex of its secret) and
// one per id (namespace "api_token_id", key = "tok_...", value: that hash), each written with
// its version as a compare-and-set, so two nodes never lose each other's change and a write
// costs the same with ten tokens or a million. The id record is written first: a process that
// dies between the two writes leaves an id that names nothing, never a token ops cannot find
// or revoke. Records hold SHA-256 hashes; a token ops create is returned once, by Create, and
// never stored or logged. A token a workflow mints (MintFor: an onboarding's editor token) has
// no one to hand it to at that moment, so its secret waits in its record until its one Reveal
// (ops), which erases it; lists and views never show it. A secret not revealed within
// kRevealWindowMs (7 days) is erased and its token revoked, by the next read that finds it.
//
// Tokens written by earlier versions in ONE record ("api_tokens"/"all", which made every
// mint rewrite all tokens: onboarding 10,000 tenants slowed to 1.6 a second) are moved into
// their own records on first use, and that record is emptied.
//
// Authenticate reads a presented token's record at most once per `refresh_ms` (1 s by
// default) and answers from what it read: a new token works, and a revoked one stops
// working, on every node within a second, at one indexed read per token and second whatever
// the traffic. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
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
  // naming "name" or "role".
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

  static constexpr int64_t kRevealWindowMs = 7LL * 24 * 3600 * 1000;
  static constexpr const char* kNotRevealedActor = "slipway:not-revealed-in-7-days";

 private:
  struct Stored {
    ApiToken token;
    int64_t version = 0;  // its record's
  };
  struct Seen {  // Authenticate's last read of one hash
    std::optional<Principal> live;
    TimeMs read_at_ms = 0;
  };
  // Moves the tokens of the one-record layout into their own records, once per process.
  Status MoveLegacyRecord();
  Result<Stored> ByHash(const std::string& hash);
  Result<Stored> ById(const std::string& id);
  // Writes a new token: its id record, then its token record. kConflict if the id is taken.
  Status Insert(const ApiToken& t);
  // Applies `change` to the token `id` and writes it back (compare-and-set, retried), after
  // expiring an unrevealed secret; returns the token as written.
  Result<ApiToken> Update(const std::string& id, const std::function<Status(ApiToken&)>& change);
  // A fresh token and its record (not stored yet).
  Result<NewApiToken> Make(const std::string& name, const std::string& role,
                           const std::string& actor);
  // Erases the secret of a minted token past its reveal window and revokes the token; true
  // when it did.
  bool ExpireUnrevealed(ApiToken& t) const;
  Status Write(const ApiToken& t, int64_t expected_version);
  void Forget(const std::string& hash);

  storage::Store& store_;
  Clock& clock_;
  const int64_t refresh_ms_;
  std::mutex mu_;
  bool legacy_moved_ = false;
  std::map<std::string, Seen> seen_;  // by hash (hex); cleared when it grows past 10,000
};

}  // namespace slipway::http
