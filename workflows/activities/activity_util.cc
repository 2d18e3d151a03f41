// workflows/activities/activity_util.cc: helpers shared by the activity adapters.
#include "workflows/activities/activity_util.h"

#include <fstream>

namespace slipway::workflows {

using nlohmann::json;

Result<json> OutputOf(const engine::ActivityCall& call, const std::string& step) {
  if (!call.outputs.is_object() || !call.outputs.contains(step)) {
    return Internal("step " + call.step + " needs the output of step " + step);
  }
  return call.outputs.at(step);
}

std::string InputString(const engine::ActivityCall& call, const std::string& key) {
  if (!call.input.is_object()) return "";
  auto it = call.input.find(key);
  return it != call.input.end() && it->is_string() ? it->get<std::string>() : "";
}

bool IsResumedRun(const engine::ActivityCall& call) {
  return call.idempotency_key.find("#r") != std::string::npos;
}

json BuildErrorsJson(const std::vector<activities::build::BuildError>& errors) {
  json out = json::array();
  for (const auto& e : errors) {
    out.push_back({{"tool", e.tool},
                   {"file", e.file},
                   {"line", e.line},
                   {"column", e.column},
                   {"code", e.code},
                   {"message", e.message}});
  }
  return out;
}

std::string FormatBuildErrors(const json& errors, size_t max_lines) {
  std::string out;
  size_t n = 0;
  for (const auto& e : errors) {
    if (n++ == max_lines) {
      out += "\n... and " + std::to_string(errors.size() - max_lines) + " more";
      break;
    }
    if (!out.empty()) out += "\n";
    std::string where = e.value("file", "");
    if (e.value("line", 0) > 0) where += ":" + std::to_string(e.value("line", 0));
    if (e.value("column", 0) > 0) where += ":" + std::to_string(e.value("column", 0));
    out += (where.empty() ? "" : where + " ") + e.value("code", "") + " " + e.value("message", "");
  }
  return out;
}

Status Annotate(const Status& st, const std::string& what) {
  if (st.ok()) return st;
  Status out(st.code(), what + ": " + st.message(), st.field());
  if (st.retry_after_ms()) out.WithRetryAfter(*st.retry_after_ms());
  if (!st.details().empty()) out.WithDetails(st.details());
  return out;
}

Result<TarballOnDisk> WriteTarball(const std::string& bytes) {
  Result<activities::build::TempDir> dir = activities::build::TempDir::Create("", "slipway-tgz-");
  if (!dir.ok()) return dir.status();
  std::string path = dir->path() + "/source.tar.gz";
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return Internal("cannot write the downloaded tarball");
  return TarballOnDisk{std::move(*dir), path};
}

}  // namespace slipway::workflows
