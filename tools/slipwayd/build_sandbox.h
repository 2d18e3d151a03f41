// tools/slipwayd/build_sandbox.h: whether and how slipwayd confines tenant builds, decided once at
// start-up from the environment and a self-test of bubblewrap (activities/build/sandbox.h).
//
//   SLIPWAY_BUILD_SANDBOX          on | off                           on
//       off runs tenant code unconfined, as the daemon's user: for tests only, logged loudly.
//   SLIPWAY_BUILD_UID              host uid (and gid) of the builds   64999
//       used when slipwayd runs as root; no account needed; nothing else should use it.
//   SLIPWAY_BWRAP                  the bwrap program                  /usr/bin/bwrap
//   SLIPWAY_NPM_CACHE              npm cache shared by the installs   $TMPDIR|/tmp + /slipway-npm-cache
//   SLIPWAY_INSTALL_SCRIPTS_ALLOW  packages whose install scripts may run (comma-separated),
//       in the sandbox without network; any other package that wants one fails the build.
//
// Normal mode refuses to start when bubblewrap is missing or fails its self-test (the error names
// the package); `--sandbox` falls back to unconfined builds with a loud warning instead.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "activities/build/sandbox.h"
#include "activities/service_config.h"
#include "engine/base/status.h"

namespace slipway::server {

struct BuildSandboxSettings {
  std::optional<activities::build::SandboxOptions> sandbox;  // unset: builds run unconfined
  std::vector<std::string> install_scripts_allowed;
};

// Errors: kInvalidArgument naming the variable; kFailedPrecondition (normal mode) when the
// sandbox does not work.
Result<BuildSandboxSettings> SetUpBuildSandbox(const activities::GetEnvFn& getenv,
                                               bool sandbox_mode);

}  // namespace slipway::server
