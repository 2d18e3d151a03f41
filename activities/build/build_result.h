// activities/build/build_result.h: the outcome of validating a site's build, and its JSON form.
//
// The JSON keys are persisted (activity results in history, the file cache): they are stable
// names, changed only with a migration. Plain values: thread-compatible.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "activities/build/error_parsers.h"
#include "engine/base/status.h"

namespace slipway::activities::build {

// Stable step names.
inline constexpr const char* kStepInstall = "install";      // npm ci / npm install
// npm rebuild of the packages whose install scripts ops allow-listed
inline constexpr const char* kStepInstallScripts = "install-scripts";
inline constexpr const char* kStepTypecheck = "typecheck";  // tsc --noEmit
inline constexpr const char* kStepLint = "lint";            // npm run lint / eslint
inline constexpr const char* kStepBuild = "build";          // npm run build

struct BuildStep {
  std::string name;
  int exit_code = -1;  // -1 when killed by a signal (timeout, cancellation)
  int64_t duration_ms = 0;
  bool timed_out = false;

  bool operator==(const BuildStep& o) const {
    return name == o.name && exit_code == o.exit_code && duration_ms == o.duration_ms &&
           timed_out == o.timed_out;
  }
};

struct BuildResult {
  bool passed = false;
  std::vector<BuildStep> steps;    // in the order they ran
  std::vector<BuildError> errors;  // parsed, de-duplicated, capped; paths relative to the site
  std::string output_tail;         // end of the first failing step's output, secrets masked
  bool from_cache = false;         // served by the cache (not stored in the cache itself)

  bool operator==(const BuildResult& o) const {
    return passed == o.passed && steps == o.steps && errors == o.errors &&
           output_tail == o.output_tail && from_cache == o.from_cache;
  }
};

// Tool output may hold any bytes (and the output cap can cut a character in two); JSON text
// must be UTF-8, so invalid sequences become U+FFFD (engine/base/utf8.h ScrubUtf8).
std::string ValidUtf8(const std::string& s);

nlohmann::json ToJson(const BuildError& e);
nlohmann::json ToJson(const BuildResult& r);
// Errors: kCorruption when `j` is not a BuildResult's JSON form.
Result<BuildResult> BuildResultFromJson(const nlohmann::json& j);

}  // namespace slipway::activities::build
