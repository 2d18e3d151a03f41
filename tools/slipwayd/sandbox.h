// tools/slipwayd/sandbox.h: `slipwayd --sandbox`, for newcomers and demos.
//
// Starts the local cloud emulator (tools/emulator) in-process on a loopback port, seeds its
// template repository from the template site in tests/fixtures/site, points every service at
// it, and makes a fresh ops token (printed once at start-up; only its hash is kept). Nothing
// needs credentials or the internet, except npm's registry for real builds.
#pragma once

#include <memory>
#include <string>

#include "activities/service_config.h"
#include "engine/base/status.h"
#include "tools/emulator/emulator.h"
#include "workflows/deps.h"

namespace slipway::server {

struct Sandbox {
  std::unique_ptr<emulator::Emulator> emulator;
  std::string ops_token;    // the one copy of the secret: printed, never logged
  std::string tokens_json;  // [{"name":"sandbox","role":"ops","token_sha256":...}]
};

// Fills `services` and `options` so that they talk to the emulator.
Result<Sandbox> StartSandbox(const std::string& state_dir, const std::string& template_dir,
                             activities::ServiceConfig& services,
                             workflows::WorkflowOptions& options);

// 32 random bytes from /dev/urandom as 64 hex characters.
Result<std::string> RandomToken();

}  // namespace slipway::server
