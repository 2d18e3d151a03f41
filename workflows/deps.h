// workflows/deps.h: what the workflows need from the outside: clients, the build validator,
// the service configuration and the tunable knobs (retry policies, rounds, intervals).
//
// WorkflowDeps holds non-owning pointers: the clients and the validator must outlive every
// engine the workflows are registered with. Built by the server's main() (or a test fixture).
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "activities/anthropic_client.h"
#include "activities/autofix.h"
#include "activities/build/build_validator.h"
#include "activities/build/process_runner.h"
#include "activities/github_client.h"
#include "activities/notify.h"
#include "activities/service_config.h"
#include "activities/vercel_client.h"
#include "activities/verify.h"
#include "engine/base/clock.h"
#include "engine/retry_policy.h"

namespace slipway::workflows {

struct RetryPolicies {
  engine::RetryPolicy github;  // repository, commits, webhooks, tarballs
  engine::RetryPolicy vercel;  // projects, domains, rollbacks
  engine::RetryPolicy deploy;  // one production deployment until READY
  engine::RetryPolicy build;   // build validation (its step timeouts decide; see deps.cc)
  engine::RetryPolicy llm;     // autofix (30 s LLM call)
  engine::RetryPolicy verify;
  engine::RetryPolicy notify;  // SMTP
  engine::RetryPolicy local;   // steps that only touch our own store
  RetryPolicies();
};

struct WorkflowOptions {
  // Autofix rounds after a failing validation before the deployment fails (issue 4: 2).
  int max_autofix_rounds = 2;
  // The production branch: recorded for new tenants by onboarding, and deployed when neither
  // the input's `ref` nor the tenant record names one. `save` creates it from the repository's
  // default branch head when it does not exist yet.
  std::string default_branch = "production";
  // How often a waiting deploy/promote looks at Vercel again (a durable timer between looks,
  // no worker held: engine/activity.h NotDoneYet). The wait is bounded by the step's
  // attempt timeout (RetryPolicies::deploy, ::vercel).
  int64_t deploy_poll_interval_ms = 2000;
  // A long build is looked at less often: the wait grows by 40 % per look, up to this
  // (DeployLookDelayMs in activities/deploy_activity.h).
  int64_t deploy_poll_max_interval_ms = 10'000;
  // Custom domain verification: re-check every N, give up after the deadline.
  int64_t domain_recheck_ms = 60'000;
  int64_t domain_deadline_ms = 48LL * 3600 * 1000;
  // Template update: how often the fan-out looks at its children.
  int64_t fanout_poll_ms = 15'000;
  // Onboarding: where GitHub pushes go (empty: no webhook step effect) and its HMAC secret.
  std::string webhook_url;
  std::string webhook_secret;
  // The base domain (ServiceConfig::base_domain; Registry copies it here when empty): custom
  // domains equal to or under it are refused at start (dev editors live there).
  std::string base_domain;
  // Verify: send the site checks to this origin instead of the deployment's host (the
  // emulator serves sites by Host header); empty in production.
  std::string verify_connect_origin;
  RetryPolicies retry;
};

// Mints the API token of a new tenant's editor (role tenant:<tenant>) once per onboarding:
// the same token on every call with the same `origin` (the onboarding's id). Returns what the
// result shows: {"id", "name", "role", "reveal"} (never the secret: ops reveal it once,
// POST /v1/tokens/{id}/reveal). slipwayd: http/api_tokens.h MintFor.
using EditorTokenMinter = std::function<Result<nlohmann::json>(const std::string& tenant,
                                                               const std::string& origin)>;

struct WorkflowDeps {
  activities::ServiceConfig config;
  activities::GitHubClient* github = nullptr;           // tenant repositories
  activities::GitHubClient* template_github = nullptr;  // reads the template repository
  activities::VercelClient* vercel = nullptr;
  activities::AnthropicClient* anthropic = nullptr;
  activities::Autofixer* autofixer = nullptr;           // null: failing builds are not fixed
  activities::build::BuildValidator* validator = nullptr;
  activities::build::ProcessRunner* runner = nullptr;   // tar, for template files
  activities::Verifier* verifier = nullptr;             // null: verify is recorded as skipped
  activities::Notifier* notifier = nullptr;             // null: no welcome e-mail (recorded)
  Clock* clock = nullptr;
  EditorTokenMinter mint_editor_token;  // empty: onboarding records that none was minted
  WorkflowOptions options;
};

}  // namespace slipway::workflows
