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
  std::unique_ptr<emulator::Emulator> emulator;  // null when the sandbox uses an external one
  std::string emulator_url;                      // http://127.0.0.1:<port>
  std::string ops_token;    // the one copy of the secret: printed, never logged
  std::string tokens_json;  // [{"name":"sandbox","role":"ops","token_sha256":...}]
};

// Where the sandbox's cloud is: empty url = an emulator in this process (the default).
// Otherwise an emulator that is already running (`slipway-emulator --template-dir
// tests/fixtures/site`, started without credentials so that it accepts any), e.g. one that
// several slipwayd nodes share; smtp_port < 0: it has no SMTP sink (no welcome e-mail).
struct ExternalEmulator {
  std::string url;
  int smtp_port = -1;
};

// Fills `services` and `options` so that they talk to the emulator.
Result<Sandbox> StartSandbox(const std::string& state_dir, const std::string& template_dir,
                             activities::ServiceConfig& services,
                             workflows::WorkflowOptions& options,
                             const ExternalEmulator& external = {});

// 32 random bytes from /dev/urandom as 64 hex characters.
Result<std::string> RandomToken();

}  // namespace slipway::server
