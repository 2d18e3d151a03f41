// http/views.cc: wire forms of history events and ETags.
#include "http/views.h"

#include <sstream>

namespace slipway::http {

using nlohmann::json;

namespace {

std::optional<int64_t> ParseTag(std::string tag) {
  size_t b = tag.find_first_not_of(" \t");
  size_t e = tag.find_last_not_of(" \t");
  if (b == std::string::npos) return std::nullopt;
  tag = tag.substr(b, e - b + 1);
  if (tag.compare(0, 2, "W/") == 0) tag = tag.substr(2);
  if (tag.size() < 3 || tag.size() > 20 || tag.front() != '"' || tag.back() != '"') {
    return std::nullopt;
  }
  tag = tag.substr(1, tag.size() - 2);
  if (tag.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return std::stoll(tag);
}

}  // namespace

json WorkflowJson(const engine::Workflow& w) {
  json j = w.ToJson();
  j["history"] = {{"last_seq", w.instance.last_seq}, {"last_hash", w.instance.last_hash}};
  return j;
}

json EventJson(const storage::HistoryEvent& e) {
  json data = json::parse(e.data_json, nullptr, false);
  if (data.is_discarded()) data = json::object();
  return {{"seq", e.seq},         {"at", FormatRfc3339(e.at_ms)},
          {"type", e.type},       {"step", e.step.empty() ? json() : json(e.step)},
          {"attempt", e.attempt}, {"actor", e.actor},
          {"data", data},         {"prev_hash", e.prev_hash},
          {"hash", e.hash}};
}

std::string ETagFor(int64_t version) { return "\"" + std::to_string(version) + "\""; }

std::optional<int64_t> IfNoneMatchVersion(const std::string& header) {
  std::stringstream in(header);
  std::string tag;
  while (std::getline(in, tag, ',')) {
    if (auto v = ParseTag(tag)) return v;
  }
  return std::nullopt;
}

bool IfNoneMatchMatches(const std::string& header, int64_t version) {
  std::stringstream in(header);
  std::string tag;
  while (std::getline(in, tag, ',')) {
    if (tag.find('*') != std::string::npos) return true;
    if (ParseTag(tag) == version) return true;
  }
  return false;
}

}  // namespace slipway::http
