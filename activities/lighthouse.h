// activities/lighthouse.h: Lighthouse's performance score of a page, when Lighthouse can run.
//
// Runs the `lighthouse` npm package's CLI (performance category only, JSON to stdout) with
// Debian's Chromium headless (CHROME_PATH). Optional by design: when the Chromium binary or the
// lighthouse CLI is absent, the outcome is `skipped` with the reason, never an error, and nothing
// is installed. A run that fails or prints no score is also `skipped` with the reason (a tool
// failure is not a verdict on the site). Thread-safe if the ProcessRunner is.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "activities/build/process_runner.h"

namespace slipway::activities {

struct LighthouseOptions {
  bool enabled = true;
  int threshold = 80;  // the plan's minimum performance score
  std::string chromium_path = "/usr/bin/chromium";
  std::string lighthouse_path;  // empty: `lighthouse` looked up in PATH
  int64_t timeout_ms = 120'000;
};

struct LighthouseOutcome {
  bool skipped = true;
  std::string reason;  // why it was skipped
  int score = -1;      // 0..100 when it ran
  bool passed = true;  // skipped, or score >= threshold
};

nlohmann::json ToJson(const LighthouseOutcome& o);

class Lighthouse {
 public:
  Lighthouse(build::ProcessRunner& runner, LighthouseOptions options);
  // url: the page to audit. host_map: optional "host ip:port" for Chromium's resolver (the
  // emulator case), empty otherwise.
  LighthouseOutcome Run(const std::string& url, const std::string& host_map);

 private:
  std::string FindCli() const;
  build::ProcessRunner& runner_;
  const LighthouseOptions options_;
};

}  // namespace slipway::activities
