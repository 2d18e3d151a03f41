// activities/build/build_plan.h: what to run for a site, decided from its package.json and
// what is installed, and how to read npm's own failures. Internal to the build validator.
//
// Pure functions of the directory's contents and the given output: thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "activities/build/build_result.h"
#include "activities/build/build_validator.h"
#include "activities/build/process_runner.h"
#include "engine/base/status.h"

namespace slipway::activities::build {

struct PackageInfo {
  bool has_lockfile = false;  // package-lock.json or npm-shrinkwrap.json
  bool has_build_script = false;
  bool has_lint_script = false;
  bool depends_on_eslint = false;  // in dependencies or devDependencies
};

struct PlannedStep {
  std::string name;  // kStepInstall, kStepTypecheck, kStepLint, kStepBuild
  std::vector<std::string> argv;
  int64_t timeout_ms = 0;
};

// Errors: kNotFound (no package.json), kInvalidArgument (not a JSON object), both with a message
// fit for the tenant.
Result<PackageInfo> ReadPackage(const std::string& dir);
PlannedStep PlanInstall(const std::string& dir, const PackageInfo& package,
                        const ValidatorOptions& options);
// typecheck, lint and build, as far as the project has them; call after a successful install.
std::vector<PlannedStep> PlanChecks(const std::string& dir, const PackageInfo& package,
                                    const ValidatorOptions& options);

// An install that failed for the machine's sake rather than the source's: kUnavailable (the
// registry was unreachable or answered 5xx/429) or kDeadlineExceeded (timed out). Ok otherwise.
Status ClassifyInstallFailure(const ProcessResult& install);
// npm's "npm error ..." lines as one record for package.json (npm prints no location).
std::optional<BuildError> NpmErrorRecord(const std::string& output);

// A package under node_modules that wanted an install script (preinstall, install, postinstall,
// or a binding.gyp) which `npm ci --ignore-scripts` did not run. The site's own package.json is
// not included (its hooks never run either). Symlinks are followed only inside the site
// (npm links `file:` dependencies).
struct WantedScript {
  std::string package;  // "sharp", "@scope/name"
  std::string path;     // "node_modules/sharp", relative to the site
};
std::vector<WantedScript> FindInstallScripts(const std::string& dir);

// Dependencies the install would fetch from elsewhere than `registries` (URL prefixes such as
// "https://registry.npmjs.org/"): URL, git and GitHub specs in package.json, and lockfile
// `resolved` URLs. One EINSTALLSOURCE record each (at most about 20); empty when all is well.
std::vector<BuildError> CheckInstallSources(const std::string& dir,
                                            const std::vector<std::string>& registries);

// `npm rebuild <packages>`: runs the install scripts of the allow-listed packages (in the
// sandbox, without network).
PlannedStep PlanInstallScripts(const std::vector<std::string>& packages,
                               const ValidatorOptions& options);

}  // namespace slipway::activities::build
