#include "activities/lighthouse.h"

#include <unistd.h>

#include <cmath>
#include <cstdlib>

namespace slipway::activities {

namespace {

bool Executable(const std::string& path) {
  return !path.empty() && ::access(path.c_str(), X_OK) == 0;
}

LighthouseOutcome Skipped(std::string reason) {
  LighthouseOutcome o;
  o.reason = std::move(reason);
  return o;
}

}  // namespace

nlohmann::json ToJson(const LighthouseOutcome& o) {
  if (o.skipped) return {{"skipped", o.reason}};
  return {{"score", o.score}, {"passed", o.passed}};
}

Lighthouse::Lighthouse(build::ProcessRunner& runner, LighthouseOptions options)
    : runner_(runner), options_(std::move(options)) {}

std::string Lighthouse::FindCli() const {
  if (!options_.lighthouse_path.empty()) {
    return Executable(options_.lighthouse_path) ? options_.lighthouse_path : "";
  }
  const char* path = std::getenv("PATH");
  std::string dirs = path == nullptr ? "" : path;
  for (size_t start = 0; start <= dirs.size();) {
    size_t end = dirs.find(':', start);
    std::string dir =
        dirs.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!dir.empty() && Executable(dir + "/lighthouse")) return dir + "/lighthouse";
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return "";
}

LighthouseOutcome Lighthouse::Run(const std::string& url, const std::string& host_map) {
  if (!options_.enabled) return Skipped("disabled by configuration");
  if (!Executable(options_.chromium_path)) {
    return Skipped("Chromium not found at " + options_.chromium_path +
                   " (Debian package chromium)");
  }
  std::string cli = FindCli();
  if (cli.empty())
    return Skipped("the lighthouse npm package is not installed (no lighthouse CLI)");
  std::string chrome_flags = "--headless=new --no-sandbox --disable-gpu";
  if (!host_map.empty()) chrome_flags += " --host-resolver-rules=MAP " + host_map;
  build::ProcessSpec spec;
  spec.argv = {cli,
               url,
               "--only-categories=performance",
               "--output=json",
               "--output-path=stdout",
               "--quiet",
               "--chrome-flags=" + chrome_flags};
  spec.env_add = {{"CHROME_PATH", options_.chromium_path}};
  spec.merge_stderr = false;
  spec.timeout_ms = options_.timeout_ms;
  spec.output_cap = 16 << 20;  // the JSON report is a few MiB
  Result<build::ProcessResult> run = runner_.Run(spec);
  if (!run.ok()) return Skipped("lighthouse could not start: " + run.status().message());
  if (run->timed_out) return Skipped("lighthouse timed out");
  if (!run->succeeded())
    return Skipped("lighthouse failed (exit " + std::to_string(run->exit_code) + ")");
  nlohmann::json report = nlohmann::json::parse(run->output, nullptr, false);
  const nlohmann::json* score = nullptr;
  if (report.is_object() && report.contains("categories") &&
      report["categories"].contains("performance")) {
    score = &report["categories"]["performance"]["score"];
  }
  if (score == nullptr || !score->is_number())
    return Skipped("lighthouse printed no performance score");
  LighthouseOutcome o;
  o.skipped = false;
  o.score = static_cast<int>(std::lround(score->get<double>() * 100));
  o.passed = o.score >= options_.threshold;
  return o;
}

}  // namespace slipway::activities
