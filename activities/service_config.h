// activities/service_config.h: where the outside services live and the credentials to use.
//
// Read from the environment with these exact names, so one binary talks to the real services or
// to the local emulator (tools/emulator): GITHUB_API_URL, GITHUB_TOKEN, GITHUB_OWNER,
// SLIPWAY_TEMPLATE_REPO (owner/name), VERCEL_API_URL, VERCEL_TOKEN, VERCEL_TEAM_ID (optional),
// ANTHROPIC_API_URL, ANTHROPIC_API_KEY, ANTHROPIC_MODEL, SMTP_URL, SLIPWAY_BASE_DOMAIN.
// The structs hold secrets: never log or serialise them whole. Plain values; thread-compatible.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "engine/base/status.h"

namespace slipway::activities {

struct GitHubConfig {
  std::string api_url = "https://api.github.com";  // no trailing slash
  std::string token;                               // secret
  std::string owner;                               // owner of tenant repositories
  std::string template_owner;                      // from SLIPWAY_TEMPLATE_REPO
  std::string template_repo;
  std::string user_agent = "slipway";
  int64_t timeout_ms = 10'000;  // GitHub itself stops requests after 10 s
  // After creating a repository from the template, how often and how far apart to look for its
  // default branch (GitHub may copy the template's contents asynchronously).
  int ready_poll_attempts = 10;
  int64_t ready_poll_interval_ms = 500;
};

struct VercelConfig {
  std::string api_url = "https://api.vercel.com";
  std::string token;    // secret
  std::string team_id;  // empty: the token owner's personal account
  int64_t timeout_ms = 15'000;
};

struct AnthropicConfig {
  std::string api_url = "https://api.anthropic.com";
  std::string api_key;                    // secret
  std::string model = "claude-sonnet-5";  // ANTHROPIC_MODEL overrides
  int64_t timeout_ms = 30'000;            // the plan's LLM call timeout
  int max_tokens = 8192;
};

struct ServiceConfig {
  GitHubConfig github;
  VercelConfig vercel;
  AnthropicConfig anthropic;
  std::string smtp_url;     // smtp://host:port
  std::string base_domain;  // dev editors live at <tenant>-dev.<base_domain>
};

// Returns the value of an environment variable, or nullopt when unset.
using GetEnvFn = std::function<std::optional<std::string>(const std::string& name)>;

// The real process environment (std::getenv).
GetEnvFn ProcessEnv();

// Reads every variable; unset or empty ones keep the defaults above. Errors: kInvalidArgument
// (field = the variable name) for a malformed SLIPWAY_TEMPLATE_REPO or a non-http(s) API URL.
Result<ServiceConfig> LoadServiceConfig(const GetEnvFn& getenv);

// Each says which required variable is missing for that service (kFailedPrecondition).
Status RequireGitHub(const ServiceConfig& config);
Status RequireVercel(const ServiceConfig& config);
Status RequireAnthropic(const ServiceConfig& config);

}  // namespace slipway::activities
