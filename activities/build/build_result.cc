// activities/build/build_result.cc: JSON form of BuildResult. nlohmann throws on a type
// mismatch; the exception stops here and becomes kCorruption.
#include "activities/build/build_result.h"

#include "engine/base/utf8.h"

namespace slipway::activities::build {

std::string ValidUtf8(const std::string& s) { return ScrubUtf8(s); }

nlohmann::json ToJson(const BuildError& e) {
  return {{"tool", ValidUtf8(e.tool)}, {"file", ValidUtf8(e.file)},
          {"line", e.line},            {"column", e.column},
          {"code", ValidUtf8(e.code)}, {"message", ValidUtf8(e.message)}};
}

nlohmann::json ToJson(const BuildResult& r) {
  nlohmann::json steps = nlohmann::json::array();
  for (const BuildStep& s : r.steps) {
    steps.push_back({{"name", s.name},
                     {"exit_code", s.exit_code},
                     {"duration_ms", s.duration_ms},
                     {"timed_out", s.timed_out}});
  }
  nlohmann::json errors = nlohmann::json::array();
  for (const BuildError& e : r.errors) errors.push_back(ToJson(e));
  return {{"passed", r.passed},
          {"steps", std::move(steps)},
          {"errors", std::move(errors)},
          {"output_tail", ValidUtf8(r.output_tail)},
          {"from_cache", r.from_cache}};
}

Result<BuildResult> BuildResultFromJson(const nlohmann::json& j) {
  try {
    BuildResult r;
    r.passed = j.at("passed").get<bool>();
    for (const nlohmann::json& s : j.at("steps")) {
      r.steps.push_back(BuildStep{s.at("name").get<std::string>(), s.at("exit_code").get<int>(),
                                  s.at("duration_ms").get<int64_t>(),
                                  s.at("timed_out").get<bool>()});
    }
    for (const nlohmann::json& e : j.at("errors")) {
      r.errors.push_back(BuildError{e.at("tool").get<std::string>(),
                                    e.at("file").get<std::string>(), e.at("line").get<int>(),
                                    e.at("column").get<int>(), e.at("code").get<std::string>(),
                                    e.at("message").get<std::string>()});
    }
    r.output_tail = j.at("output_tail").get<std::string>();
    r.from_cache = j.value("from_cache", false);
    return r;
  } catch (const nlohmann::json::exception& e) {
    return Corruption(std::string("build result JSON: ") + e.what());
  }
}

}  // namespace slipway::activities::build
