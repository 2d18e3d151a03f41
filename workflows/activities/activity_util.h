// workflows/activities/activity_util.h: small helpers the activity adapters share: reading
// earlier step outputs and the input, recognising a resumed run, formatting build errors for
// the editor.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "activities/build/error_parsers.h"
#include "activities/build/source_archive.h"
#include "engine/activity.h"
#include "engine/base/status.h"

namespace slipway::workflows {

// The output of an earlier step, or kInternal naming it when the table ran this step too early
// (a wiring bug, not the tenant's fault).
Result<nlohmann::json> OutputOf(const engine::ActivityCall& call, const std::string& step);
// input[key] when it is a non-empty string, else "".
std::string InputString(const engine::ActivityCall& call, const std::string& key);
// True when ops resumed the workflow (the engine adds "#r<n>" to the idempotency key).
bool IsResumedRun(const engine::ActivityCall& call);
// Parsed build errors as JSON (persisted keys: tool, file, line, column, code, message).
nlohmann::json BuildErrorsJson(const std::vector<activities::build::BuildError>& errors);
// One line per error, "file:line:col code message", at most `max_lines` of them.
std::string FormatBuildErrors(const nlohmann::json& errors, size_t max_lines = 20);
// Prefixes a non-ok status's message with what was being done, keeping code, retry-after and
// details.
Status Annotate(const Status& st, const std::string& what);
// A downloaded tarball written to a private temp dir (removed with this object).
struct TarballOnDisk {
  activities::build::TempDir dir;
  std::string path;
};
// Errors: kInternal (I/O).
Result<TarballOnDisk> WriteTarball(const std::string& bytes);

}  // namespace slipway::workflows
