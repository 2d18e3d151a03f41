#include "engine/audit.h"

#include "engine/base/history_chain.h"

namespace slipway::engine {

Status VerifyChain(const std::vector<storage::HistoryEvent>& events) {
  std::string prev = kGenesisHash;
  int64_t expected_seq = 1;
  for (const auto& e : events) {
    std::string at = "seq " + std::to_string(e.seq) + ": ";
    if (e.seq != expected_seq) {
      return Corruption(at + "expected seq " + std::to_string(expected_seq) +
                        " (an event is missing or out of order)");
    }
    if (e.prev_hash != prev) return Corruption(at + "prev_hash does not match the event before");
    ChainedFields f{e.workflow_id, e.seq, e.at_ms, e.type, e.step, e.attempt, e.actor, e.data_json};
    if (ChainHash(prev, f) != e.hash) return Corruption(at + "hash does not match the event's content");
    prev = e.hash;
    ++expected_seq;
  }
  return Status::Ok();
}

}  // namespace slipway::engine
