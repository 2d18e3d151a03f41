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

}  // namespace slipway
