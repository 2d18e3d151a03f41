// http/api_tokens.cc: see api_tokens.h.
#include "http/api_tokens.h"

#include "engine/base/bearer_token.h"
#include "engine/base/sha256.h"
#include "http/errors.h"

namespace slipway::http {

using nlohmann::json;

namespace {

constexpr const char* kNamespace = "api_tokens";
constexpr const char* kKey = "all";
constexpr int kMaxConflictRetries = 64;  // a lost compare-and-set re-reads at once

std::string Hex(const std::array<unsigned char, 32>& hash) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : hash) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

json Stored(const ApiToken& t) {
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

Result<ApiTokens::Snapshot> ApiTokens::Load() {
  Result<storage::Record> rec = store_.GetRecord(kNamespace, kKey);
  if (!rec.ok() && rec.status().code() == Code::kNotFound) return Snapshot{};
  if (!rec.ok()) return rec.status();
  json list = json::parse(rec->value_json, nullptr, false);
  if (!list.is_array()) return Corruption("the API tokens record is not a JSON array");
  Snapshot s;
  s.version = rec->version;
  for (const json& j : list) {
    if (j.is_object()) s.tokens.push_back(FromStored(j));
  }
  return s;
}

bool ApiTokens::ExpireUnrevealed(std::vector<ApiToken>& all) const {
  const TimeMs now = clock_.NowMs();
  bool any = false;
  for (ApiToken& t : all) {
    if (t.pending_secret.empty() || now - t.created_at_ms < kRevealWindowMs) continue;
    t.pending_secret.clear();
    if (t.revoked_at_ms == 0) {
      t.revoked_at_ms = now;
      t.revoked_by = kNotRevealedActor;
    }
    any = true;
  }
  return any;
}

Result<ApiToken> ApiTokens::Update(
    const std::function<Result<ApiToken>(std::vector<ApiToken>&)>& change) {
  for (int i = 0; i < kMaxConflictRetries; ++i) {
    Result<Snapshot> s = Load();
    if (!s.ok()) return s.status();
    const bool expired = ExpireUnrevealed(s->tokens);
    Result<ApiToken> changed = change(s->tokens);
    if (!changed.ok() && !expired) return changed.status();
    json list = json::array();
    for (const ApiToken& t : s->tokens) list.push_back(Stored(t));
    Status put = store_.PutRecord({kNamespace, kKey, list.dump(), 0}, s->version);
    if (!changed.ok()) {
      if (put.ok()) {
        std::lock_guard<std::mutex> lock(mu_);
        read_at_ms_ = -1;
      }
      return changed.status();  // the expiry is written, or the next write does it
    }
    if (put.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      read_at_ms_ = -1;  // this node sees its own change at once
      return changed;
    }
    if (put.code() != Code::kConflict && put.code() != Code::kAlreadyExists) return put;
  }
  return Conflict("the API tokens kept changing; try again");
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

Status ApiTokens::CheckRoom(const std::vector<ApiToken>& all) {
  if (all.size() < kMaxTokens) return Status::Ok();
  return ResourceExhausted("at most " + std::to_string(kMaxTokens) +
                           " API tokens (revoked ones included) are kept");
}

Result<NewApiToken> ApiTokens::Create(const std::string& name, const std::string& role,
                                      const std::string& actor) {
  Result<NewApiToken> made = Make(name, role, actor);
  if (!made.ok()) return made.status();
  Result<ApiToken> stored = Update([&](std::vector<ApiToken>& all) -> Result<ApiToken> {
    SLIPWAY_RETURN_IF_ERROR(CheckRoom(all));
    all.push_back(made->token);
    return made->token;
  });
  if (!stored.ok()) return stored.status();
  return made;
}

Result<ApiToken> ApiTokens::MintFor(const std::string& origin, const std::string& name,
                                    const std::string& role, const std::string& actor) {
  Result<NewApiToken> made = Make(name, role, actor);
  if (!made.ok()) return made.status();
  made->token.origin = origin;
  made->token.pending_secret = made->secret;
  return Update([&](std::vector<ApiToken>& all) -> Result<ApiToken> {
    for (const ApiToken& t : all) {
      if (t.origin == origin) return t;
    }
    SLIPWAY_RETURN_IF_ERROR(CheckRoom(all));
    all.push_back(made->token);
    return made->token;
  });
}

Result<NewApiToken> ApiTokens::Reveal(const std::string& id, const std::string& actor) {
  NewApiToken out;
  Result<ApiToken> revealed = Update([&](std::vector<ApiToken>& all) -> Result<ApiToken> {
    for (ApiToken& t : all) {
      if (t.id != id) continue;
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
      return t;
    }
    return NotFound("no API token " + id);
  });
  if (!revealed.ok()) return revealed.status();
  out.token = *revealed;
  return out;
}

Result<std::vector<ApiToken>> ApiTokens::List() {
  Result<Snapshot> s = Load();
  if (!s.ok()) return s.status();
  if (ExpireUnrevealed(s->tokens)) {  // shown as revoked, and written so
    Update([](std::vector<ApiToken>&) -> Result<ApiToken> { return ApiToken{}; })
        .status()
        .IgnoreError();
  }
  return s->tokens;
}

Result<ApiToken> ApiTokens::Revoke(const std::string& id, const std::string& actor) {
  return Update([&](std::vector<ApiToken>& all) -> Result<ApiToken> {
    for (ApiToken& t : all) {
      if (t.id != id) continue;
      if (t.revoked_at_ms == 0) {
        t.revoked_at_ms = clock_.NowMs();
        t.revoked_by = actor;
      }
      return t;
    }
    return NotFound("no API token " + id);
  });
}

Result<Principal> ApiTokens::Authenticate(const std::array<unsigned char, 32>& hash) {
  bool sweep = false;
  Result<Principal> found = Lookup(hash, &sweep);
  if (sweep) {  // a secret past its reveal window is in the record: erase it now
    Update([](std::vector<ApiToken>&) -> Result<ApiToken> { return ApiToken{}; })
        .status()
        .IgnoreError();
  }
  return found;
}

Result<Principal> ApiTokens::Lookup(const std::array<unsigned char, 32>& hash, bool* sweep) {
  std::lock_guard<std::mutex> lock(mu_);
  const TimeMs now = clock_.NowMs();
  if (read_at_ms_ < 0 || now - read_at_ms_ >= refresh_ms_ || now < read_at_ms_) {
    Result<Snapshot> s = Load();
    if (!s.ok()) return Unavailable("cannot read the API tokens: " + s.status().message());
    live_.clear();
    for (const ApiToken& t : s->tokens) {
      if (!t.pending_secret.empty() && now - t.created_at_ms >= kRevealWindowMs) *sweep = true;
      if (t.revoked_at_ms != 0) continue;
      Result<Principal> p = MakePrincipal(t.name, t.role);
      if (p.ok()) live_[t.token_sha256] = *p;
    }
    read_at_ms_ = now;
  }
  auto it = live_.find(Hex(hash));
  if (it == live_.end()) return Unauthenticated("unknown token");
  return it->second;
}

}  // namespace slipway::http
