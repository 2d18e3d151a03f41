// activities/lighthouse.cc: runs the Lighthouse CLI and reads its category scores.
#include "activities/lighthouse.h"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

#ifndef SLIPWAY_TOOLS_DIR
#define SLIPWAY_TOOLS_DIR "tools"
#endif

namespace slipway::activities {

namespace {

constexpr int64_t kMaxReportBytes = 32 << 20;
constexpr size_t kMaxErrorTail = 300;

bool Executable(const std::string& path) {
  return !path.empty() && ::access(path.c_str(), X_OK) == 0;
}

std::string Join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

// The last line of the tool's stderr, cut short: enough to tell a crash from a refusal. It is
// Chromium's and Lighthouse's text about our own deployment URL, never a secret.
std::string LastLine(const std::string& text) {
  size_t end = text.find_last_not_of(" \r\n\t");
  if (end == std::string::npos) return "";
  size_t begin = text.rfind('\n', end);
  begin = begin == std::string::npos ? 0 : begin + 1;
  std::string line = text.substr(begin, end + 1 - begin);
  if (line.size() > kMaxErrorTail) line = line.substr(0, kMaxErrorTail) + "...";
  return line;
}

// A private directory for one report, removed when the run ends.
class TempDir {
 public:
  explicit TempDir(const std::string& parent) {
    std::string base = parent;
    if (base.empty()) base = std::getenv("TMPDIR") != nullptr ? std::getenv("TMPDIR") : "/tmp";
    std::string templ = base + "/slipway-lighthouse-XXXXXX";
    if (::mkdtemp(templ.data()) != nullptr) path_ = templ;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string ReadCapped(const std::string& path) {
  std::error_code ec;
  uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return "";
  std::string out(static_cast<size_t>(std::min<uintmax_t>(size, kMaxReportBytes)), '\0');
  std::ifstream in(path, std::ios::binary);
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  out.resize(static_cast<size_t>(in.gcount()));
  return out;
}

LighthouseOutcome ErrorOutcome(std::string error, bool retryable) {
  LighthouseOutcome o;
  o.error = std::move(error);
  o.reason = "Lighthouse could not run: " + o.error;
  o.retryable = retryable;
  return o;
}

// The Lighthouse CLI's command line (its flags: `lighthouse --help`, 12.x).
build::ProcessSpec Command(const LighthouseOptions& o, const std::string& url,
                           const std::string& host_map, const std::string& report_path) {
  build::ProcessSpec spec;
  spec.argv = {o.lighthouse_path, url, "--output=json", "--output-path=" + report_path,
               "--quiet", "--only-categories=" + Join(LighthouseCategories(), ","),
               // The screenshots are most of a report's bytes and no verdict uses them.
               "--skip-audits=full-page-screenshot,screenshot-thumbnails,final-screenshot",
               "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"};
  if (o.preset == "desktop") spec.argv.push_back("--preset=desktop");
  if (!host_map.empty()) {
    spec.argv.push_back("--chrome-flags=--host-resolver-rules=\"MAP " + host_map + "\"");
  }
  spec.env_add = {{"CHROME_PATH", o.chromium_path}};
  spec.merge_stderr = false;
  spec.timeout_ms = o.timeout_ms;
  return spec;
}

}  // namespace

const std::vector<std::string>& LighthouseCategories() {
  static const std::vector<std::string> kCategories = {"performance", "accessibility",
                                                       "best-practices", "seo"};
  return kCategories;
}

LighthouseThresholds DefaultLighthouseThresholds() { return {{"performance", 80}}; }

std::string LighthouseOptions::DefaultLighthousePath() {
  return std::string(SLIPWAY_TOOLS_DIR) + "/node/node_modules/.bin/lighthouse";
}

Result<LighthouseThresholds> LighthouseThresholdsFromJson(const nlohmann::json& j,
                                                          const std::string& field) {
  if (!j.is_object()) return InvalidArgument(field, "must be an object of category: 0..100");
  LighthouseThresholds out;
  for (const auto& [key, value] : j.items()) {
    const auto& known = LighthouseCategories();
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return InvalidArgument(field, "categories are " + Join(known, ", "));
    }
    if (!value.is_number_integer() || value.get<int64_t>() < 0 || value.get<int64_t>() > 100) {
      return InvalidArgument(field + "." + key, "must be an integer from 0 to 100");
    }
    out[key] = value.get<int>();
  }
  return out;
}

std::map<std::string, int> ScoresFromReport(const nlohmann::json& report) {
  std::map<std::string, int> scores;
  if (!report.is_object() || !report.contains("categories") ||
      !report["categories"].is_object()) {
    return scores;
  }
  for (const auto& [id, category] : report["categories"].items()) {
    if (!category.is_object() || !category.contains("score")) continue;
    const nlohmann::json& s = category["score"];
    if (!s.is_number()) continue;  // null: the category could not be scored
    double v = s.get<double>();
    if (!(v >= 0 && v <= 1)) continue;
    scores[id] = static_cast<int>(std::lround(v * 100));
  }
  return scores;
}

nlohmann::json ToJson(const LighthouseOutcome& o) {
  if (o.skipped) return {{"skipped", o.reason}, {"passed", true}};
  if (!o.error.empty()) return {{"error", o.error}, {"passed", false}};
  return {{"scores", o.scores},
          {"thresholds", o.thresholds},
          {"passed", o.passed},
          {"reason", o.reason}};
}

Lighthouse::Lighthouse(build::ProcessRunner& runner, LighthouseOptions options)
    : runner_(runner), options_(std::move(options)) {}

LighthouseOutcome Lighthouse::Run(const std::string& url, const std::string& host_map,
                                  const LighthouseThresholds* thresholds) {
  if (!options_.enabled) {
    LighthouseOutcome o;
    o.skipped = true;
    o.passed = true;
    o.reason = "disabled by configuration";
    return o;
  }
  LighthouseOutcome o = RunTool(url, host_map);
  if (!o.error.empty()) {
    if (!options_.allow_skip) return o;
    o.skipped = true;
    o.passed = true;
    o.reason = "sandbox mode: " + o.error;
    return o;
  }
  o.thresholds = thresholds != nullptr ? *thresholds : options_.thresholds;
  std::vector<std::string> below;
  for (const auto& [category, minimum] : o.thresholds) {
    auto score = o.scores.find(category);
    if (score == o.scores.end()) {
      below.push_back(category + " has no score (threshold " + std::to_string(minimum) + ")");
    } else if (score->second < minimum) {
      below.push_back(category + " " + std::to_string(score->second) + " is below " +
                      std::to_string(minimum));
    }
  }
  o.passed = below.empty();
  if (!o.passed) o.reason = "Lighthouse " + Join(below, ", ");
  return o;
}

LighthouseOutcome Lighthouse::RunTool(const std::string& url, const std::string& host_map) {
  if (!Executable(options_.chromium_path)) {
    return ErrorOutcome("Chromium not found at " + options_.chromium_path +
                            " (install Debian's chromium: tools/setup.sh; or set SLIPWAY_CHROMIUM)",
                        false);
  }
  if (!Executable(options_.lighthouse_path)) {
    return ErrorOutcome("the Lighthouse CLI is not at " + options_.lighthouse_path +
                            " (tools/setup.sh installs it; or set SLIPWAY_LIGHTHOUSE)",
                        false);
  }
  TempDir dir(options_.temp_dir);
  if (dir.path().empty()) return ErrorOutcome("no temporary directory for the report", true);
  const std::string report_path = dir.path() + "/report.json";
  build::ProcessSpec spec = Command(options_, url, host_map, report_path);
  spec.env_add["TMPDIR"] = dir.path();  // Chromium's throw-away profile goes there too
  Result<build::ProcessResult> run = runner_.Run(spec);
  if (!run.ok()) return ErrorOutcome("could not start: " + run.status().message(), false);
  if (run->timed_out) {
    return ErrorOutcome("timed out after " + std::to_string(options_.timeout_ms / 1000) + " s",
                        true);
  }
  if (!run->succeeded()) {
    std::string why = run->exit_code >= 0 ? "exit " + std::to_string(run->exit_code)
                                          : "signal " + std::to_string(run->term_signal);
    std::string tail = LastLine(run->error_output);
    return ErrorOutcome("it crashed (" + why + ")" + (tail.empty() ? "" : ": " + tail), true);
  }
  nlohmann::json report = nlohmann::json::parse(ReadCapped(report_path), nullptr, false);
  LighthouseOutcome o;
  o.scores = ScoresFromReport(report);
  if (report.is_object() && report.contains("runtimeError") &&
      report["runtimeError"].is_object()) {
    return ErrorOutcome("the page did not load in Chromium: " +
                            report["runtimeError"].value("code", std::string("unknown")),
                        true);
  }
  if (o.scores.empty()) return ErrorOutcome("the report has no scores", true);
  return o;
}

}  // namespace slipway::activities
