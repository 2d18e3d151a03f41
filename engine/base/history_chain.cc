#include "engine/base/history_chain.h"

#include <nlohmann/json.hpp>

#include "engine/base/sha256.h"

namespace slipway {

std::string CanonicalEventJson(const ChainedFields& f) {
  // nlohmann::json objects keep keys sorted, so dump() is canonical for our purposes. The data
  // is re-parsed so that whitespace differences in stored text cannot change the hash.
  nlohmann::json j = {
      {"workflow_id", f.workflow_id}, {"seq", f.seq},       {"at", f.at_ms},
      {"type", f.type},               {"step", f.step},     {"attempt", f.attempt},
      {"actor", f.actor},
      {"data", nlohmann::json::parse(f.data_json.empty() ? "{}" : f.data_json, nullptr, false)},
  };
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string ChainHash(const std::string& prev_hash, const ChainedFields& f) {
  return Sha256Hex(prev_hash + "\n" + CanonicalEventJson(f));
}

namespace {

void AppendString(std::string& out, const std::string& s) {
  out += nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::string ChainHashOfCanonicalData(const std::string& prev_hash, const ChainedFields& f) {
  // The keys in the sorted order CanonicalEventJson's object dumps them in.
  std::string text = prev_hash + "\n";
  text.reserve(text.size() + f.data_json.size() + 160);
  text += "{\"actor\":";
  AppendString(text, f.actor);
  text += ",\"at\":" + std::to_string(f.at_ms);
  text += ",\"attempt\":" + std::to_string(f.attempt);
  text += ",\"data\":";
  text += f.data_json.empty() ? "{}" : f.data_json;
  text += ",\"seq\":" + std::to_string(f.seq);
  text += ",\"step\":";
  AppendString(text, f.step);
  text += ",\"type\":";
  AppendString(text, f.type);
  text += ",\"workflow_id\":";
  AppendString(text, f.workflow_id);
  text += "}";
  return Sha256Hex(text);
}

}  // namespace slipway
