// http/github_webhook.h: reading a GitHub webhook delivery (shared/reference/external-apis.md
// A.7): the X-Hub-Signature-256 check and the facts of a `push` payload that decide whether it
// deploys. Pure functions over bytes and parsed JSON; the endpoint is webhook_handler.cc.
// Stateless; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "engine/base/status.h"

namespace slipway::http {

// The trailer Slipway writes into every commit it makes (activities/github_commit.cc,
// activities/autofix.cc): a push made only of such commits is Slipway's own and never deploys.
inline constexpr const char* kSlipwayCommitTrailer = "Slipway-Idempotency-Key: ";

// Ok when `header` is "sha256=" + the lower-case hex HMAC-SHA256 of `body` keyed with `secret`
// (compared in constant time). kUnauthenticated otherwise, never saying what was expected.
Status VerifyGitHubSignature(const std::string& secret, const std::string& body,
                             const std::string& header);

// The payload's repository.full_name ("owner/name", at most 200 characters).
// kInvalidArgument (field "repository.full_name") when missing or malformed.
Result<std::string> RepositoryFullName(const nlohmann::json& payload);

struct PushFacts {
  std::string branch;  // "" when the ref is not a branch (refs/tags/...)
  std::string after;   // the pushed head sha
  std::string pusher;  // pusher.name, reduced to [A-Za-z0-9._-] and at most 64 characters
  bool deleted = false;
  int commits = 0;             // entries of commits[]
  bool only_slipway = false;   // commits[] is non-empty and every message has the trailer
};
// The facts of a push payload. kInvalidArgument naming the field for a missing or mistyped
// `ref` / `after`; other fields are optional.
Result<PushFacts> ReadPush(const nlohmann::json& payload);

// A GitHub delivery id: 1-64 characters of [A-Za-z0-9-] (GitHub sends a GUID).
bool IsDeliveryId(const std::string& id);

}  // namespace slipway::http
