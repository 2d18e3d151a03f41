// workflows/webhook_secrets.h: each tenant's GitHub webhook secret (the HMAC key of
// X-Hub-Signature-256), kept in the engine's store as a record of its own, namespace
// "webhook_secret", key = tenant: {"secret": <64 hex>, "repo_full_name": "<owner>/<repo>"}.
//
// The secret lives only here: never in the tenant record (which onboarding returns as a step
// output), an input, a step output, history, a view or a log line. Onboarding's `webhook` step
// creates it (Ensure) before it creates the hook, so a repeated step reuses the same secret;
// the HTTP receiver finds it by repository (FindWebhookTarget). Thread-safe (the store is).
#pragma once

#include <optional>
#include <string>

#include "engine/base/status.h"
#include "storage/store.h"
#include "workflows/deps.h"

namespace slipway::workflows {

inline constexpr const char* kWebhookSecretNamespace = "webhook_secret";

struct WebhookSecret {
  std::string secret;          // never logged
  std::string repo_full_name;  // the repository whose hook signs with it
};

class WebhookSecrets {
 public:
  explicit WebhookSecrets(storage::Store& store) : store_(store) {}

  // The tenant's secret for `repo_full_name`: the stored one, or a fresh random one (32 bytes)
  // stored first. A stored secret whose repository differs keeps the secret and records the new
  // repository name.
  Result<std::string> Ensure(const std::string& tenant, const std::string& repo_full_name);
  // nullopt when the tenant has none.
  Result<std::optional<WebhookSecret>> Get(const std::string& tenant);

 private:
  storage::Store& store_;
};

// What the webhook receiver needs about the tenant a repository belongs to.
struct WebhookTarget {
  std::string tenant;
  std::string secret;         // never logged
  std::string editor_branch;  // "" while the tenant has no tenant record (onboarding runs)
};

// The editor's branch: the repository's default branch (`main` unless the record says
// otherwise), which the dev project follows and people push to (README, "Releases and
// branches"). A push there by someone else than Slipway is deployed (input ref = that branch);
// the production branch is Slipway's alone.
std::string EditorBranch(const std::string& repo_default_branch);

// The tenant of a repository "<owner>/<name>" (the repository is named after its tenant) with its
// webhook secret. kNotFound when the name is no tenant's or the tenant has no secret for that
// repository (names compare case-insensitively, as on GitHub).
Result<WebhookTarget> FindWebhookTarget(storage::Store& store, const WorkflowOptions& options,
                                        const std::string& repo_full_name);

}  // namespace slipway::workflows
