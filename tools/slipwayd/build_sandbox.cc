// tools/slipwayd/build_sandbox.cc: the build sandbox's settings and its start-up self-test.
#include "tools/slipwayd/build_sandbox.h"

#include <cstdlib>

#include "activities/build/process_runner.h"
#include "engine/base/clock.h"
#include "tools/slipwayd/log.h"

namespace slipway::server {
namespace {

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  std::string item;
  for (char c : text + ",") {
    if (c != ',') {
      if (c != ' ') item.push_back(c);
      continue;
    }
    if (!item.empty()) out.push_back(item);
    item.clear();
  }
  return out;
}

Result<activities::build::SandboxOptions> SandboxFromEnv(const activities::GetEnvFn& getenv) {
  activities::build::SandboxOptions o;
  if (auto v = getenv("SLIPWAY_BUILD_UID")) {
    char* end = nullptr;
    unsigned long uid = std::strtoul(v->c_str(), &end, 10);
    if (v->empty() || *end != '\0' || uid == 0 || uid > 4'000'000'000ul) {
      return InvalidArgument("SLIPWAY_BUILD_UID", "must be a uid other than 0");
    }
    o.host_uid = o.host_gid = static_cast<uint32_t>(uid);
  }
  if (auto v = getenv("SLIPWAY_BWRAP")) o.bwrap = *v;
  if (auto v = getenv("SLIPWAY_NPM_CACHE")) {
    if (v->empty() || (*v)[0] != '/') {
      return InvalidArgument("SLIPWAY_NPM_CACHE", "must be an absolute path");
    }
    o.npm_cache_dir = *v;
  } else {
    auto tmp = getenv("TMPDIR");
    o.npm_cache_dir = (tmp && !tmp->empty() ? *tmp : std::string("/tmp")) + "/slipway-npm-cache";
  }
  return o;
}

}  // namespace

Result<BuildSandboxSettings> SetUpBuildSandbox(const activities::GetEnvFn& getenv,
                                               bool sandbox_mode) {
  BuildSandboxSettings s;
  if (auto v = getenv("SLIPWAY_INSTALL_SCRIPTS_ALLOW")) s.install_scripts_allowed = SplitList(*v);
  const std::string mode = getenv("SLIPWAY_BUILD_SANDBOX").value_or("on");
  if (mode != "on" && mode != "off") {
    return InvalidArgument("SLIPWAY_BUILD_SANDBOX", "must be on or off");
  }
  if (mode == "off") {
    Log("error", "SLIPWAY_BUILD_SANDBOX=off: TENANT BUILDS RUN UNCONFINED, as this daemon's user, "
                 "with its files in reach. For tests only.");
    return s;
  }
  Result<activities::build::SandboxOptions> options = SandboxFromEnv(getenv);
  if (!options.ok()) return options.status();
  SystemClock clock;
  activities::build::PosixProcessRunner runner(clock);
  Status st = activities::build::SandboxSelfTest(runner, *options);
  if (st.ok()) {
    Log("info", "tenant builds run in the bubblewrap sandbox",
        {{"npm_cache", options->npm_cache_dir}, {"build_uid", options->host_uid},
         {"install_scripts_allowed", s.install_scripts_allowed}});
    s.sandbox = *options;
    return s;
  }
  if (!sandbox_mode) return st;
  Log("error", "--sandbox: the build sandbox does not work, so TENANT BUILDS RUN UNCONFINED: " +
                   st.message());
  return s;
}

}  // namespace slipway::server
