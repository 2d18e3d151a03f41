// activities/lighthouse.h: Lighthouse's category scores of a page, with a real headless Chromium.
//
// Runs the Lighthouse CLI (npm `lighthouse`, pinned in tools/node/, installed by tools/setup.sh)
// against Debian's Chromium (CHROME_PATH), headless, categories performance, accessibility,
// best-practices and seo, JSON report to a temporary file. Chromium runs with --no-sandbox
// (slipwayd runs as root on a build host, where Chromium's own sandbox refuses to start); it only
// ever loads the deployment Slipway is verifying.
//
// A run ends in one of three ways:
//   scores      every category's score (0..100); passed iff each thresholded category reaches
//               its threshold (`thresholds`, by Lighthouse category id; others are recorded only)
//   error       Chromium or the CLI is missing, or the run crashed, timed out or printed no
//               score: passed = false with the reason. `retryable` is set for a crash or a
//               timeout (a loaded machine), not for a missing tool.
//   skipped     only with allow_skip (slipwayd --sandbox) in place of an error, or when
//               disabled (tests): passed = true, `reason` says why.
// Thread-safe if the ProcessRunner is.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "activities/build/process_runner.h"
#include "engine/base/status.h"

namespace slipway::activities {

// Category id (Lighthouse's: "performance", "accessibility", "best-practices", "seo") ->
// minimum score 0..100.
using LighthouseThresholds = std::map<std::string, int>;

// The categories every run scores.
const std::vector<std::string>& LighthouseCategories();
// {"performance": 80}: the plan's minimum; the other categories are recorded only.
LighthouseThresholds DefaultLighthouseThresholds();
// A JSON object of category id -> integer 0..100 (persisted in tenant records and deployment
// inputs). Errors: kInvalidArgument naming `field` (or field.category).
Result<LighthouseThresholds> LighthouseThresholdsFromJson(const nlohmann::json& j,
                                                          const std::string& field);

struct LighthouseOptions {
  bool enabled = true;      // false (tests only): every run is skipped
  bool allow_skip = false;  // slipwayd --sandbox: a missing tool or a crash skips, not fails
  LighthouseThresholds thresholds = DefaultLighthouseThresholds();
  std::string chromium_path = "/usr/bin/chromium";
  std::string lighthouse_path = DefaultLighthousePath();
  // "desktop" (Lighthouse's --preset=desktop) or "mobile" (its default: 4x CPU slowdown and a
  // slow 4G link, simulated). Desktop by default: on a busy 2-core host a bare page scored 88
  // under the mobile preset (its main-thread time is multiplied by 4) and 100 under desktop.
  std::string preset = "desktop";
  int64_t timeout_ms = 180'000;
  std::string temp_dir;  // for the report; empty: $TMPDIR or /tmp

  // <source>/tools/node/node_modules/.bin/lighthouse, where tools/setup.sh puts it.
  static std::string DefaultLighthousePath();
};

struct LighthouseOutcome {
  bool skipped = false;
  std::string reason;  // skipped: why; otherwise why it did not pass (empty when passed)
  std::string error;   // the run gave no scores (normal mode): what went wrong
  bool retryable = false;
  std::map<std::string, int> scores;  // category id -> 0..100, when it ran
  LighthouseThresholds thresholds;    // those applied
  bool passed = false;
};

// Persisted in history: {"skipped": reason, "passed": true} | {"error": ..., "passed": false}
// | {"scores": {...}, "thresholds": {...}, "passed": ..., "reason": ...}.
nlohmann::json ToJson(const LighthouseOutcome& o);
// A report's categories -> scores 0..100 (a category whose score is null is left out).
std::map<std::string, int> ScoresFromReport(const nlohmann::json& report);

class Lighthouse {
 public:
  Lighthouse(build::ProcessRunner& runner, LighthouseOptions options);
  // url: the page to audit. host_map: optional "host ip:port" for Chromium's resolver (the
  // emulator case), empty otherwise. thresholds: nullptr for the options' own.
  LighthouseOutcome Run(const std::string& url, const std::string& host_map,
                        const LighthouseThresholds* thresholds = nullptr);
  const LighthouseOptions& options() const { return options_; }

 private:
  LighthouseOutcome RunTool(const std::string& url, const std::string& host_map);
  build::ProcessRunner& runner_;
  const LighthouseOptions options_;
};

}  // namespace slipway::activities
