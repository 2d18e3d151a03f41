// activities/build/build_validator.cc: the cache around a validation, the child environment,
// and the step sequence (install, then the checks planned by build_plan.cc).
#include "activities/build/build_validator.h"

#include <sys/stat.h>

#include <cctype>
#include <filesystem>

#include "activities/build/build_plan.h"
#include "activities/build/source_archive.h"
#include "engine/base/redact.h"
#include "engine/base/sha256.h"
#include "engine/base/utf8.h"

extern char** environ;

namespace slipway::activities::build {
namespace fs = std::filesystem;

namespace {

bool IsCancelled(const ValidateRequest& request) {
  return request.cancelled && request.cancelled();
}

std::string Tail(const std::string& text, size_t bytes) { return TailUtf8(text, bytes); }

// The variables a build may see. Everything else (GITHUB_TOKEN, ANTHROPIC_API_KEY, ...) stays
// with the engine.
bool PassToChild(const std::string& name) {
  static const char* kNames[] = {
      "PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR",
      "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY",
      "NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "SSL_CERT_DIR"};
  for (const char* n : kNames) {
    if (name == n) return true;
  }
  std::string lower;
  for (unsigned char c : name) lower.push_back(static_cast<char>(std::tolower(c)));
  // npm_config_cache and friends, but not registry credentials (_authToken, _auth, password).
  return lower.rfind("npm_config_", 0) == 0 && !IsSecretKey(lower) &&
         lower.find("_auth") == std::string::npos;
}

// Runs planned steps one after another and gathers what the result needs from each.
class StepSequence {
 public:
  StepSequence(ProcessRunner& runner, const ValidateRequest& request, const std::string& dir,
               std::map<std::string, std::string> env, const ValidatorOptions& options)
      : runner_(runner), request_(request), dir_(dir), env_(std::move(env)), options_(options) {}

  // The step's process result; kCancelled when cancellation came before or during it.
  Result<ProcessResult> Run(const PlannedStep& step) {
    if (IsCancelled(request_)) return Cancelled("build validation cancelled");
    ProcessSpec spec;
    spec.argv = step.argv;
    spec.cwd = dir_;
    spec.inherit_env = false;
    spec.env_add = env_;
    spec.timeout_ms = step.timeout_ms;
    spec.kill_grace_ms = options_.kill_grace_ms;
    spec.output_cap = options_.output_cap;
    spec.cancelled = request_.cancelled;
    if (options_.sandbox) {  // only npm itself, installing, has network
      spec = WrapInSandbox(spec, *options_.sandbox, step.name == kStepInstall);
    }
    Result<ProcessResult> run = runner_.Run(spec);
    if (!run.ok()) return run.status();
    if (run->cancelled) return Cancelled("build validation cancelled during " + step.name);
    result_.steps.push_back(BuildStep{step.name, run->exit_code, run->duration_ms, run->timed_out});
    for (BuildError& e : ParseBuildOutput(run->output, ParseOptions{dir_, options_.max_errors})) {
      errors_.push_back(std::move(e));
    }
    // The tail of the first failing step (where the cause is), else of the last step.
    if (!failed_) tail_ = Tail(run->output, options_.output_tail_bytes);
    if (!run->succeeded()) failed_ = true;
    // A check that runs past its timeout hangs in the site's own scripts (a dev server, a
    // watcher): the same sha hangs again, so retrying costs another full timeout each time.
    // An install that times out stays retryable (the registry may be slow): see
    // ClassifyInstallFailure.
    if (run->timed_out && step.name != kStepInstall) {
      return Permanent("build step '" + step.name + "' timed out after " +
                       std::to_string(step.timeout_ms / 1000) +
                       " s (not retried: the same source hangs again)");
    }
    return run;
  }

  void AddError(BuildError e) { errors_.push_back(std::move(e)); }
  void Fail(BuildError e) {
    if (!failed_) tail_ = e.message;
    failed_ = true;
    errors_.push_back(std::move(e));
  }
  bool failed() const { return failed_; }

  BuildResult Finish() {
    result_.passed = !failed_ && !result_.steps.empty();
    result_.errors = DeduplicateErrors(std::move(errors_), options_.max_errors);
    for (BuildError& e : result_.errors) e.message = RedactText(e.message);
    result_.output_tail = RedactText(tail_);
    return std::move(result_);
  }

 private:
  ProcessRunner& runner_;
  const ValidateRequest& request_;
  const std::string& dir_;
  const std::map<std::string, std::string> env_;
  const ValidatorOptions& options_;
  BuildResult result_;
  std::vector<BuildError> errors_;
  bool failed_ = false;
  std::string tail_;
};

bool Allowed(const std::vector<std::string>& allowed, const std::string& package) {
  for (const std::string& a : allowed) {
    if (a == package) return true;
  }
  return false;
}

// After a successful install: a package that wanted an install script fails the validation
// unless ops allowed it; the allowed ones' scripts run (sandboxed, offline). Errors as Run's.
Status RunInstallScripts(const std::string& dir, const ValidatorOptions& options,
                         StepSequence& steps) {
  std::vector<std::string> run;
  for (const WantedScript& w : FindInstallScripts(dir)) {
    if (Allowed(options.install_scripts_allowed, w.package)) {
      if (!Allowed(run, w.package)) run.push_back(w.package);
      continue;
    }
    steps.Fail(BuildError{"npm", "package.json", 0, 0, "EINSTALLSCRIPT",
                          "package " + w.package + " (" + w.path +
                              ") needs an install script, and builds do not run install "
                              "scripts; ops can allow it with SLIPWAY_INSTALL_SCRIPTS_ALLOW"});
  }
  if (steps.failed() || run.empty()) return Status::Ok();
  Result<ProcessResult> r = steps.Run(PlanInstallScripts(run, options));
  return r.ok() ? Status::Ok() : r.status();
}

}  // namespace

BuildValidator::BuildValidator(ProcessRunner& runner, BuildCache& cache, ValidatorOptions options)
    : runner_(runner), cache_(cache), options_(std::move(options)) {}

std::map<std::string, std::string> BuildValidator::ChildEnv() const {
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    size_t eq = entry.find('=');
    if (eq != std::string::npos && PassToChild(entry.substr(0, eq))) {
      env[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
  }
  env["CI"] = "1";
  env["FORCE_COLOR"] = "0";
  env["NO_COLOR"] = "1";
  env["NEXT_TELEMETRY_DISABLED"] = "1";
  env["npm_config_update_notifier"] = "false";
  env["npm_config_audit"] = "false";
  env["npm_config_fund"] = "false";
  for (const auto& [k, v] : options_.extra_env) env[k] = v;
  return env;
}

std::string BuildValidator::SettingsFingerprint() const {
  const ValidatorOptions& o = options_;
  nlohmann::json settings = {
      {"format", 1},  // bump when what a build does changes in a way the options do not show
      {"timeouts", {o.install_timeout_ms, o.typecheck_timeout_ms, o.lint_timeout_ms,
                    o.build_timeout_ms}},
      {"output", {o.output_cap, o.output_tail_bytes, o.max_errors}},
      {"extra_env", o.extra_env},
      {"install_scripts_allowed", o.install_scripts_allowed},
      {"toolchain", o.toolchain},
      {"sandbox", nullptr}};
  if (o.sandbox) {
    const SandboxLimits& l = o.sandbox->limits;
    settings["sandbox"] = {l.address_space_bytes, l.node_heap_mb, l.cpu_seconds, l.processes,
                           l.file_size_bytes,     l.open_files,   l.tmp_bytes};
  }
  const std::map<std::string, std::string> env = ChildEnv();
  auto registry = env.find("npm_config_registry");
  settings["registry"] = registry == env.end() ? "" : registry->second;
  return Sha256Hex(settings.dump());
}

std::optional<BuildCacheKey> BuildValidator::KeyOf(const ValidateRequest& request) const {
  if (!request.tree_sha.empty()) return BuildCacheKey{"tree " + SettingsFingerprint(), request.tree_sha};
  if (!request.repository.empty()) return BuildCacheKey{request.repository, request.commit_sha};
  return std::nullopt;
}

std::optional<BuildResult> BuildValidator::Cached(const ValidateRequest& request) {
  std::optional<BuildCacheKey> key = KeyOf(request);
  if (!key) return std::nullopt;
  Result<std::optional<BuildResult>> hit = cache_.Get(*key);
  if (!hit.ok()) return std::nullopt;
  return std::move(*hit);
}

Result<BuildResult> BuildValidator::ValidateDirectory(const ValidateRequest& request,
                                                      const std::string& dir) {
  if (request.repository.empty() != request.commit_sha.empty()) {
    return InvalidArgument(request.repository.empty() ? "repository" : "commit_sha",
                           "repository and commit_sha go together");
  }
  if (std::optional<BuildResult> hit = Cached(request)) return std::move(*hit);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return InvalidArgument("dir", "no such directory: " + dir);
  Result<BuildResult> result = Run(request, fs::canonical(dir, ec).string());
  if (!result.ok()) return result;
  bool timed_out = false;
  for (const BuildStep& s : result->steps) timed_out = timed_out || s.timed_out;
  // A timeout may be the machine's load rather than the source: try again next time.
  std::optional<BuildCacheKey> key = KeyOf(request);
  if (key && !timed_out) cache_.Put(*key, *result).IgnoreError();
  return result;
}

Result<BuildResult> BuildValidator::ValidateTarball(const ValidateRequest& request,
                                                    const std::string& tarball) {
  if (request.repository.empty() == request.commit_sha.empty()) {
    if (std::optional<BuildResult> hit = Cached(request)) return std::move(*hit);
  }
  ExtractOptions extract;
  extract.parent_dir = options_.work_dir;
  extract.cancelled = request.cancelled;
  Result<ExtractedSource> source = ExtractTarball(runner_, tarball, extract);
  if (!source.ok()) return source.status();
  // The sandbox's uid must be able to reach the source below our private temp dir.
  if (options_.sandbox) chmod(source->dir.path().c_str(), 0711);
  return ValidateDirectory(request, source->source_dir);  // the temp dir goes with `source`
}

Result<BuildResult> BuildValidator::Run(const ValidateRequest& request, const std::string& dir) {
  BuildResult result;
  Result<PackageInfo> package = ReadPackage(dir);
  if (!package.ok()) {  // the tenant's package.json is missing or broken: a failed validation
    const bool missing = package.status().code() == Code::kNotFound;
    result.errors.push_back(BuildError{"npm", "package.json", 0, 0,
                                       missing ? "ENOENT" : "EJSONPARSE",
                                       package.status().message()});
    return result;
  }
  std::map<std::string, std::string> env = ChildEnv();
  // The install is the one step with network: it may reach the registry and nothing else.
  std::vector<std::string> registries = {"https://registry.npmjs.org/"};
  if (auto r = env.find("npm_config_registry"); r != env.end() && !r->second.empty()) {
    registries.push_back(r->second.back() == '/' ? r->second : r->second + "/");
  }
  result.errors = CheckInstallSources(dir, registries);
  if (!result.errors.empty()) return result;
  if (options_.sandbox) SLIPWAY_RETURN_IF_ERROR(PrepareBuildDir(dir, *options_.sandbox));
  StepSequence steps(runner_, request, dir, std::move(env), options_);
  Result<ProcessResult> install = steps.Run(PlanInstall(dir, *package, options_));
  if (!install.ok()) return install.status();
  SLIPWAY_RETURN_IF_ERROR(ClassifyInstallFailure(*install));
  if (install->succeeded()) SLIPWAY_RETURN_IF_ERROR(RunInstallScripts(dir, options_, steps));
  if (install->succeeded() && !steps.failed()) {
    for (const PlannedStep& step : PlanChecks(dir, *package, options_)) {
      Result<ProcessResult> run = steps.Run(step);
      if (!run.ok()) return run.status();
    }
  } else if (!install->succeeded()) {
    if (std::optional<BuildError> npm = NpmErrorRecord(install->output)) {
      steps.AddError(std::move(*npm));
    }
  }
  return steps.Finish();
}

}  // namespace slipway::activities::build
