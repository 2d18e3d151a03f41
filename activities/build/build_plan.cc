// activities/build/build_plan.cc: package.json inspection, step planning and npm failure
// classification.
#include "activities/build/build_plan.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "activities/build/error_parsers.h"

namespace slipway::activities::build {
namespace fs = std::filesystem;

namespace {

bool Exists(const fs::path& p) {
  std::error_code ec;
  return fs::exists(p, ec);
}

bool HasStringKey(const nlohmann::json& obj, const char* section, const char* key) {
  auto s = obj.find(section);
  if (s == obj.end() || !s->is_object()) return false;
  auto k = s->find(key);
  return k != s->end() && k->is_string();
}

// npm's own error code, from "npm error code ECONNRESET" (npm 10+) or "npm ERR! code ..." (older).
std::string NpmErrorCode(const std::string& output) {
  std::istringstream in(StripAnsi(output));
  for (std::string line; std::getline(in, line);) {
    for (const char* prefix : {"npm error code ", "npm ERR! code "}) {
      if (line.rfind(prefix, 0) == 0) return line.substr(std::string(prefix).size());
    }
  }
  return "";
}

}  // namespace

Result<PackageInfo> ReadPackage(const std::string& dir) {
  std::ifstream in(fs::path(dir) / "package.json", std::ios::binary);
  if (!in) return NotFound("package.json is missing");
  std::ostringstream text;
  text << in.rdbuf();
  nlohmann::json doc = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return InvalidArgument("package.json", "package.json is not a JSON object");
  PackageInfo info;
  info.has_lockfile = Exists(fs::path(dir) / "package-lock.json") ||
                      Exists(fs::path(dir) / "npm-shrinkwrap.json");
  info.has_build_script = HasStringKey(doc, "scripts", "build");
  info.has_lint_script = HasStringKey(doc, "scripts", "lint");
  info.depends_on_eslint = HasStringKey(doc, "dependencies", "eslint") ||
                           HasStringKey(doc, "devDependencies", "eslint");
  return info;
}

PlannedStep PlanInstall(const std::string&, const PackageInfo& package,
                        const ValidatorOptions& options) {
  PlannedStep step{kStepInstall, {"npm", package.has_lockfile ? "ci" : "install"},
                   options.install_timeout_ms};
  // No package's install script runs (they would run with network): see FindInstallScripts.
  // No audit or funding requests; reuse the npm cache (npm_config_cache) before the network.
  for (const char* flag : {"--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline"}) {
    step.argv.push_back(flag);
  }
  return step;
}

PlannedStep PlanInstallScripts(const std::vector<std::string>& packages,
                               const ValidatorOptions& options) {
  PlannedStep step{kStepInstallScripts, {"npm", "rebuild", "--ignore-scripts=false", "--foreground-scripts"},
                   options.install_timeout_ms};
  step.argv.insert(step.argv.end(), packages.begin(), packages.end());
  return step;
}

std::vector<PlannedStep> PlanChecks(const std::string& dir, const PackageInfo& package,
                                    const ValidatorOptions& options) {
  const fs::path root(dir);
  const fs::path bin = root / "node_modules" / ".bin";
  std::vector<PlannedStep> steps;
  // The installed binaries are run directly, never through npx, which could fetch a package.
  if (Exists(root / "tsconfig.json") && Exists(root / "node_modules/typescript/package.json") &&
      Exists(bin / "tsc")) {
    steps.push_back(PlannedStep{kStepTypecheck, {(bin / "tsc").string(), "--noEmit", "--pretty",
                                                 "false"}, options.typecheck_timeout_ms});
  }
  if (package.has_lint_script) {
    steps.push_back(PlannedStep{kStepLint, {"npm", "run", "lint"}, options.lint_timeout_ms});
  } else if (package.depends_on_eslint && Exists(bin / "eslint")) {
    steps.push_back(PlannedStep{kStepLint, {(bin / "eslint").string(), "--format", "json", "."},
                                options.lint_timeout_ms});
  }
  if (package.has_build_script) {
    steps.push_back(PlannedStep{kStepBuild, {"npm", "run", "build"}, options.build_timeout_ms});
  }
  return steps;
}

Status ClassifyInstallFailure(const ProcessResult& install) {
  if (install.timed_out) return Status(Code::kDeadlineExceeded, "npm install timed out");
  if (install.succeeded()) return Status::Ok();
  static const char* kTransient[] = {"ECONNRESET", "ETIMEDOUT", "EAI_AGAIN", "ENOTFOUND",
                                     "ECONNREFUSED", "ENETUNREACH", "EHOSTUNREACH",
                                     "ERR_SOCKET_TIMEOUT", "ECONNABORTED", "E429", "E500",
                                     "E502", "E503", "E504"};
  const std::string code = NpmErrorCode(install.output);
  for (const char* t : kTransient) {
    if (code == t) return Unavailable("npm could not fetch packages (" + code + ")");
  }
  return Status::Ok();
}

std::optional<BuildError> NpmErrorRecord(const std::string& output) {
  BuildError e{"npm", "package.json", 0, 0, NpmErrorCode(output), ""};
  std::istringstream in(StripAnsi(output));
  int kept = 0;
  for (std::string line; std::getline(in, line) && kept < 6;) {
    for (const char* prefix : {"npm error ", "npm ERR! "}) {
      if (line.rfind(prefix, 0) != 0) continue;
      std::string text = line.substr(std::string(prefix).size());
      if (text.rfind("code ", 0) == 0 || text.rfind("A complete log", 0) == 0 || text.empty()) {
        continue;
      }
      e.message += (e.message.empty() ? "" : "\n") + text;
      ++kept;
    }
  }
  if (e.message.empty() && e.code.empty()) return std::nullopt;
  if (e.message.empty()) e.message = "npm failed with code " + e.code;
  return e;
}

}  // namespace slipway::activities::build
