// activities/build/build_validator.h: validates a tenant site's source before it is deployed.
//
// Steps, each under its own timeout, through the injected ProcessRunner:
//   (sources)  a dependency fetched from elsewhere than the registry (URL, git, GitHub specs,
//              lockfile `resolved` URLs) fails the validation first (EINSTALLSOURCE)
//   install    `npm ci` (with a package-lock.json / npm-shrinkwrap.json) or `npm install`,
//              with --ignore-scripts --no-audit --no-fund --prefer-offline; nothing else runs
//              when it fails. Then a package under node_modules that wanted an install script
//              fails the validation (error code EINSTALLSCRIPT on package.json, naming the
//              package) unless options.install_scripts_allowed lists it; the scripts of listed
//              packages run as the step `install-scripts` (`npm rebuild <names>`).
//   typecheck  `node_modules/.bin/tsc --noEmit --pretty false` when tsconfig.json exists and
//              typescript is installed
//   lint       `npm run lint` when package.json has a lint script, else `eslint --format json .`
//              when eslint is installed
//   build      `npm run build` when package.json has a build script
// tsc and eslint run before the build: they are cheap and report every error, while `next build`
// stops at the first (shared/reference/build-output-formats.md). Every step's output is parsed
// into BuildErrors; passed means every step that ran exited 0 in time.
//
// With options.sandbox set, every step runs in the bubblewrap sandbox (sandbox.h): only the
// install step has network. slipwayd always sets it, unless the sandbox is explicitly off.
//
// The child environment is NOT the engine's: only PATH, HOME, locale, proxy and non-secret
// npm_config_* variables pass (the npm cache directory included), plus options.extra_env, so a
// tenant's build script cannot read the engine's tokens. Output kept in results is redacted.
//
// Results are cached unless a step timed out: by the source's git tree sha and the builder's
// settings (SettingsFingerprint) when the request names the tree, so that any repository's
// build of the same files is reused, else by (repository, commit sha). The validator is
// thread-safe if its runner and cache are (the real ones are), as long as nobody calls setenv()
// meanwhile (each validation reads the process environment); it writes into the directory it
// validates (node_modules, build output).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "activities/build/build_cache.h"
#include "activities/build/build_result.h"
#include "activities/build/process_runner.h"
#include "activities/build/sandbox.h"
#include "engine/base/status.h"

namespace slipway::activities::build {

struct ValidatorOptions {
  int64_t install_timeout_ms = 10 * 60 * 1000;
  int64_t typecheck_timeout_ms = 3 * 60 * 1000;
  int64_t lint_timeout_ms = 3 * 60 * 1000;
  int64_t build_timeout_ms = 5 * 60 * 1000;
  int64_t kill_grace_ms = 5000;
  size_t output_cap = kDefaultOutputCap;  // per step
  size_t output_tail_bytes = 8 * 1024;
  size_t max_errors = 200;
  std::string work_dir;  // parent of temp dirs for tarballs; empty: $TMPDIR or /tmp
  std::map<std::string, std::string> extra_env;  // added to every step's environment
  // Run every step in this sandbox; unset: unconfined (unit tests with a fake runner).
  std::optional<SandboxOptions> sandbox;
  // Packages ("sharp", "@scope/name") whose install scripts may run (in the sandbox, offline).
  std::vector<std::string> install_scripts_allowed;
  // What builds with (e.g. "node v18.19.0 npm 9.2.0"): part of the tree cache key, so a new
  // toolchain builds every tree again.
  std::string toolchain;
};

struct ValidateRequest {
  // The commit cache key. Both empty: no commit key. Only one empty: kInvalidArgument.
  std::string repository;  // "owner/name"
  std::string commit_sha;
  std::function<bool()> cancelled;  // polled while steps run and between them
  // The git tree of the source (the commit's tree). When set, the cache key is this tree and
  // the builder's settings, whatever the repository: identical files share one build.
  std::string tree_sha;
};

class BuildValidator {
 public:
  // runner and cache must outlive the validator.
  BuildValidator(ProcessRunner& runner, BuildCache& cache, ValidatorOptions options = {});

  // Validates an extracted source directory in place. A failing build is a BuildResult with
  // passed == false, not an error. Errors: kInvalidArgument (no such directory, half a key),
  // kCancelled, kUnavailable (npm could not reach the registry), kDeadlineExceeded (the
  // install timed out), kNotFound (npm/tar not installed), kInternal.
  Result<BuildResult> ValidateDirectory(const ValidateRequest& request, const std::string& dir);

  // Extracts a GitHub source tarball into a fresh temp dir (see ExtractTarball), validates it
  // and removes the temp dir. A cache hit skips the extraction. Errors as above, plus
  // ExtractTarball's.
  Result<BuildResult> ValidateTarball(const ValidateRequest& request, const std::string& tarball);

  // The cached result for the request's key, if any (a cache error is a miss). Lets a caller
  // skip fetching the source.
  std::optional<BuildResult> Cached(const ValidateRequest& request);

  // A hash of what a result depends on besides the files: the options that change how steps
  // run or what is kept of their output, the npm registry, and the toolchain.
  std::string SettingsFingerprint() const;

 private:
  // nullopt: no key (nothing cached).
  std::optional<BuildCacheKey> KeyOf(const ValidateRequest& request) const;

  Result<BuildResult> Run(const ValidateRequest& request, const std::string& dir);
  std::map<std::string, std::string> ChildEnv() const;

  ProcessRunner& runner_;
  BuildCache& cache_;
  ValidatorOptions options_;
};

}  // namespace slipway::activities::build
