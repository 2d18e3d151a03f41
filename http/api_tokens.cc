// http/api_tokens.cc: see api_tokens.h.
#include "http/api_tokens.h"

#include <algorithm>

#include "engine/base/bearer_token.h"
#include "engine/base/sha256.h"
#include "http/errors.h"

namespace slipway::http {

using nlohmann::json;

namespace {

constexpr const char* kTokenNs = "api_token";  // key: the secret's SHA-256 hex
constexpr const char* kIdNs = "api_token_id";  // key: the id; value {"token_sha256": hash}
constexpr const char* kLegacyNs = "api_tokens";  // the one-record layout: key "all"
constexpr const char* kLegacyKey = "all";
constexpr int kMaxConflictRetries = 64;  // a lost compare-and-set re-reads at once
constexpr size_t kMaxSeen = 10'000;

bool Taken(const Status& st) {
  return st.code() == Code::kConflict || st.code() == Code::kAlreadyExists;
}

// A minted token's id follows from its origin, so a retried step finds the token it minted.
std::string MintedId(const std::string& origin) {
  return "tok_" + Sha256Hex("minted\n" + origin).substr(0, 16);
}

std::string IdValue(const std::string& hash) { return json{{"token_sha256", hash}}.dump(); }

std::string HashIn(const std::string& id_value) {
  json j = json::parse(id_value, nullptr, false);
  return j.is_object() ? j.value("token_sha256", "") : "";
}

std::string Hex(const std::array<unsigned char, 32>& hash) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : hash) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

json StoredJson(const ApiToken& t) {
  json j = t.ToJson();
  j["token_sha256"] = t.token_sha256;
  if (!t.pending_secret.empty()) j["pending_secret"] = t.pending_secret;
  if (t.revealed_at_ms != 0) j["revealed_at_ms"] = t.revealed_at_ms;
  return j;
}

ApiToken FromStored(const json& j) {
  ApiToken t;
  t.id = j.value("id", "");
  t.token_sha256 = j.value("token_sha256", "");
  t.name = j.value("name", "");
  t.role = j.value("role", "");
  t.created_at_ms = j.value("created_at_ms", int64_t{0});
  t.created_by = j.value("created_by", "");
  t.revoked_at_ms = j.value("revoked_at_ms", int64_t{0});
  t.revoked_by = j.value("revoked_by", "");
  t.origin = j.value("origin", "");
  t.pending_secret = j.value("pending_secret", "");
  t.revealed_at_ms = j.value("revealed_at_ms", int64_t{0});
  t.revealed_by = j.value("revealed_by", "");
  return t;
}

}  // namespace

json ApiToken::ToJson() const {
  json j = {{"id", id},
            {"name", name},
            {"role", role},
            {"created_at", FormatRfc3339(created_at_ms)},
            {"created_at_ms", created_at_ms},
            {"created_by", created_by},
            {"revoked", revoked_at_ms != 0}};
  if (!origin.empty()) {
    j["origin"] = origin;
    j["revealed"] = pending_secret.empty() && revealed_at_ms != 0;
    if (!pending_secret.empty()) {
      j["reveal_before"] = FormatRfc3339(created_at_ms + ApiTokens::kRevealWindowMs);
    }
    if (revealed_at_ms != 0) {
      j["revealed_at"] = FormatRfc3339(revealed_at_ms);
      j["revealed_by"] = revealed_by;
    }
  }
  if (revoked_at_ms != 0) {
    j["revoked_at"] = FormatRfc3339(revoked_at_ms);
    j["revoked_at_ms"] = revoked_at_ms;
    j["revoked_by"] = revoked_by;
  }
  return j;
}

ApiTokens::ApiTokens(storage::Store& store, Clock& clock, int64_t refresh_ms)
    : store_(store), clock_(clock), refresh_ms_(refresh_ms) {}

Status ApiTokens::MoveLegacyRecord() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (legacy_moved_) return Status::Ok();
  }
  Result<storage::Record> rec = store_.GetRecord(kLegacyNs, kLegacyKey);
  if (!rec.ok() && rec.status().code() != Code::kNotFound) return rec.status();
  if (rec.ok()) {
    json list = json::parse(rec->value_json, nullptr, false);
    if (!list.is_array()) return Corruption("the API tokens record is not a JSON array");
    for (const json& j : list) {
      if (!j.is_object()) continue;
      const ApiToken t = FromStored(j);
      if (t.id.empty() || t.token_sha256.empty()) continue;
      Status st = Insert(t);
      if (!st.ok() && !Taken(st)) return st;  // taken: moved already (by another node)
    }
    if (!list.empty()) {
      Status put = store_.PutRecord({kLegacyNs, kLegacyKey, "[]", 0}, rec->version);
      if (!put.ok() && !Taken(put)) return put;
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  legacy_moved_ = true;
  return Status::Ok();
}

Result<ApiTokens::Stored> ApiTokens::ByHash(const std::string& hash) {
  Result<storage::Record> rec = store_.GetRecord(kTokenNs, hash);
  if (!rec.ok()) return rec.status();
  json j = json::parse(rec->value_json, nullptr, false);
  if (!j.is_object()) return Corruption("an API token record is not a JSON object");
  return Stored{FromStored(j), rec->version};
}

Result<ApiTokens::Stored> ApiTokens::ById(const std::string& id) {
  Result<storage::Record> rec = store_.GetRecord(kIdNs, id);
  if (!rec.ok() && rec.status().code() == Code::kNotFound) return NotFound("no API token " + id);
  if (!rec.ok()) return rec.status();
  Result<Stored> s = ByHash(HashIn(rec->value_json));
  if (!s.ok() && s.status().code() == Code::kNotFound) return NotFound("no API token " + id);
  return s;
}

Status ApiTokens::Write(const ApiToken& t, int64_t expected_version) {
  return store_.PutRecord({kTokenNs, t.token_sha256, StoredJson(t).dump(), 0}, expected_version);
}

Status ApiTokens::Insert(const ApiToken& t) {
  Status id_put = store_.PutRecord({kIdNs, t.id, IdValue(t.token_sha256), 0}, 0);
  if (!id_put.ok()) {
    if (!Taken(id_put)) return id_put;
    // Ours, from a write that stopped before the token record, or another token's.
    Result<storage::Record> existing = store_.GetRecord(kIdNs, t.id);
    if (!existing.ok()) return existing.status();
    if (HashIn(existing->value_json) != t.token_sha256) return Conflict("token id " + t.id + " is taken");
  }
  Status put = Write(t, 0);
  return Taken(put) ? Conflict("token " + t.id + " exists") : put;
}

void ApiTokens::Forget(const std::string& hash) {
  std::lock_guard<std::mutex> lock(mu_);
  seen_.erase(hash);
}

bool ApiTokens::ExpireUnrevealed(ApiToken& t) const {
  const TimeMs now = clock_.NowMs();
  if (t.pending_secret.empty() || now - t.created_at_ms < kRevealWindowMs) return false;
  t.pending_secret.clear();
  if (t.revoked_at_ms == 0) {
    t.revoked_at_ms = now;
    t.revoked_by = kNotRevealedActor;
  }
  return true;
}

Result<ApiToken> ApiTokens::Update(const std::string& id,
                                   const std::function<Status(ApiToken&)>& change) {
  SLIPWAY_RETURN_IF_ERROR(MoveLegacyRecord());
  for (int i = 0; i < kMaxConflictRetries; ++i) {
    Result<Stored> s = ById(id);
    if (!s.ok()) return s.status();
    ApiToken t = s->token;
    const bool expired = ExpireUnrevealed(t);
    Status changed = change(t);  // a change that fails has changed nothing
    if (!changed.ok() && !expired) return changed;
    Status put = Write(t, s->version);
    if (put.ok()) {
      Forget(t.token_sha256);  // this node sees its own change at once
      if (!changed.ok()) return changed;  // the expiry alone is written
      return t;
    }
    if (!Taken(put)) return put;
  }
  return Conflict("the API token kept changing; try again");
}

Result<NewApiToken> ApiTokens::Make(const std::string& name, const std::string& role,
                                    const std::string& actor) {
  Result<Principal> principal = MakePrincipal(name, role);
  if (!principal.ok()) return principal.status();
  Result<std::string> secret = NewBearerToken();
  if (!secret.ok()) return secret.status();
  NewApiToken made;
  made.secret = *secret;
  ApiToken& t = made.token;
  t.token_sha256 = Sha256Hex(made.secret);  // what Authenticate's Hex(hash) of it gives
  t.id = "tok_" + Sha256Hex(t.token_sha256).substr(0, 16);
  t.name = name;
  t.role = role;
  t.created_at_ms = clock_.NowMs();
  t.created_by = actor;
  return made;
}

Result<NewApiToken> ApiTokens::Create(const std::string& name, const std::string& role,
                                      const std::string& actor) {
  SLIPWAY_RETURN_IF_ERROR(MoveLegacyRecord());
  Result<NewApiToken> made = Make(name, role, actor);
  if (!made.ok()) return made.status();
  SLIPWAY_RETURN_IF_ERROR(Insert(made->token));
  Forget(made->token.token_sha256);
  return made;
}

Result<ApiToken> ApiTokens::MintFor(const std::string& origin, const std::string& name,
                                    const std::string& role, const std::string& actor) {
  SLIPWAY_RETURN_IF_ERROR(MoveLegacyRecord());
  const std::string id = MintedId(origin);
  for (int i = 0; i < kMaxConflictRetries; ++i) {
    Result<storage::Record> id_rec = store_.GetRecord(kIdNs, id);
    if (!id_rec.ok() && id_rec.status().code() != Code::kNotFound) return id_rec.status();
    if (id_rec.ok()) {
      Result<Stored> s = ByHash(HashIn(id_rec->value_json));
      if (s.ok() && s->token.origin != origin) return Internal("token id " + id + " is taken");
      if (s.ok()) return s->token;  // minted by an earlier attempt
      if (s.status().code() != Code::kNotFound) return s.status();
    }
    Result<NewApiToken> made = Make(name, role, actor);
    if (!made.ok()) return made.status();
    made->token.id = id;
    made->token.origin = origin;
    made->token.pending_secret = made->secret;
    // An id record whose token record was never written (its writer died) names a secret
    // nobody has: it is pointed at this one.
    Status st = id_rec.ok() ? store_.PutRecord({kIdNs, id, IdValue(made->token.token_sha256), 0},
                                               id_rec->version)
                            : Status::Ok();
    if (st.ok()) st = id_rec.ok() ? Write(made->token, 0) : Insert(made->token);
    if (st.ok()) return made->token;
    if (!Taken(st)) return st;  // taken: another attempt minted it meanwhile; read it
  }
  return Conflict("the API token of " + origin + " kept changing; try again");
}

Result<NewApiToken> ApiTokens::Reveal(const std::string& id, const std::string& actor) {
  NewApiToken out;
  Result<ApiToken> revealed = Update(id, [&](ApiToken& t) -> Status {
    if (t.origin.empty()) return FailedPrecondition("token " + id + " was not minted by a workflow: its secret was shown when ops created it");
    if (t.revoked_by == kNotRevealedActor) {
      return FailedPrecondition("token " + id + " was not revealed within 7 days of its minting: its secret was erased and the token revoked; mint another");
    }
    if (t.revoked_at_ms != 0) return FailedPrecondition("token " + id + " is revoked");
    if (t.pending_secret.empty()) {
      return FailedPrecondition("token " + id + " was revealed already; revoke it and mint another if it was lost");
    }
    out.secret = t.pending_secret;
    t.pending_secret.clear();
    t.revealed_at_ms = clock_.NowMs();
    t.revealed_by = actor;
    return Status::Ok();
  });
  if (!revealed.ok()) return revealed.status();
  out.token = *revealed;
  return out;
}

Result<std::vector<ApiToken>> ApiTokens::List() {
  SLIPWAY_RETURN_IF_ERROR(MoveLegacyRecord());
  std::vector<ApiToken> out;
  SLIPWAY_RETURN_IF_ERROR(storage::ForEachRecord(store_, kTokenNs, [&](const storage::Record& rec) {
    json j = json::parse(rec.value_json, nullptr, false);
    if (!j.is_object()) return Corruption("an API token record is not a JSON object");
    ApiToken t = FromStored(j);
    if (ExpireUnrevealed(t)) {  // shown as revoked, and written so
      Result<ApiToken> written = Update(t.id, [](ApiToken&) { return Status::Ok(); });
      if (written.ok()) t = *written;
    }
    out.push_back(std::move(t));
    return Status::Ok();
  }));
  std::sort(out.begin(), out.end(), [](const ApiToken& a, const ApiToken& b) {
    return a.created_at_ms != b.created_at_ms ? a.created_at_ms < b.created_at_ms : a.id < b.id;
  });
  return out;
}

Result<ApiToken> ApiTokens::Revoke(const std::string& id, const std::string& actor) {
  return Update(id, [&](ApiToken& t) -> Status {
    if (t.revoked_at_ms == 0) {
      t.revoked_at_ms = clock_.NowMs();
      t.revoked_by = actor;
    }
    return Status::Ok();
  });
}

Result<Principal> ApiTokens::Authenticate(const std::array<unsigned char, 32>& hash) {
  const std::string hex = Hex(hash);
  const TimeMs now = clock_.NowMs();
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = seen_.find(hex);
    if (it != seen_.end() && now >= it->second.read_at_ms &&
        now - it->second.read_at_ms < refresh_ms_) {
      if (it->second.live) return *it->second.live;
      return Unauthenticated("unknown token");
    }
  }
  Status moved = MoveLegacyRecord();
  if (!moved.ok()) return Unavailable("cannot read the API tokens: " + moved.message());
  Result<Stored> s = ByHash(hex);
  if (!s.ok() && s.status().code() != Code::kNotFound) {
    return Unavailable("cannot read the API tokens: " + s.status().message());
  }
  std::optional<Principal> live;
  if (s.ok()) {
    ApiToken t = s->token;
    if (ExpireUnrevealed(t)) {  // a secret past its reveal window: erased (and revoked) now
      Update(t.id, [](ApiToken&) { return Status::Ok(); }).status().IgnoreError();
    }
    Result<Principal> p = MakePrincipal(t.name, t.role);
    if (t.revoked_at_ms == 0 && p.ok()) live = *p;
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (seen_.size() >= kMaxSeen) seen_.clear();
  seen_[hex] = Seen{live, now};
  if (live) return *live;
  return Unauthenticated("unknown token");
}

}  // namespace slipway::http
