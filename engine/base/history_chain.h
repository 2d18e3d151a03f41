// engine/base/history_chain.h: the tamper-evident hash chain over a workflow's history.
//
// Each event's hash is SHA-256 over the previous event's hash, a newline, and the event's
// canonical JSON (keys sorted, no spaces). The first event's prev_hash is kGenesisHash. An
// auditor recomputes the chain from the rows alone: an edited, removed or reordered event
// breaks it at that point.
#pragma once

#include <cstdint>
#include <string>

namespace slipway {

inline constexpr const char* kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

struct ChainedFields {
  std::string workflow_id;
  int64_t seq = 0;
  int64_t at_ms = 0;
  std::string type;
  std::string step;
  int attempt = 0;
  std::string actor;
  std::string data_json;  // canonical JSON text of the event's data ("{}" when empty)
};

std::string CanonicalEventJson(const ChainedFields& f);
std::string ChainHash(const std::string& prev_hash, const ChainedFields& f);
// The same hash, for a writer whose data_json is already canonical (nlohmann dump: keys
// sorted, no spaces, invalid UTF-8 replaced): the text is assembled instead of re-parsed.
std::string ChainHashOfCanonicalData(const std::string& prev_hash, const ChainedFields& f);

}  // namespace slipway
