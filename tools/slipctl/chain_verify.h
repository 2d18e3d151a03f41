// tools/slipctl/chain_verify.h: recomputing a workflow's history hash chain from the events as
// the HTTP API serves them (GET /v1/workflows/{id}/history), with the engine's own algorithm
// (engine/base/history_chain.h: ChainHash over ChainedFields).
//
// The served form differs from the stored row in three ways, undone here: "at" is RFC 3339
// with milliseconds (the chain hashes at_ms), "step" is null for no step (the chain hashes ""),
// and "data" is parsed JSON (the chain hashes its canonical text; re-dumping is canonical
// because the chain re-parses data too). The workflow id is not in the event: the caller
// supplies the one it asked for.
//
// The served events alone cannot show events removed from the END of a history, or the last
// event rewritten with a recomputed hash; a removed, reordered or edited event anywhere before
// the last is caught. Anchors close that gap up to their seq: the head the workflow itself
// records (GET /v1/workflows/{id} serves "history": {"last_seq","last_hash"}), and a head the
// auditor kept from an earlier run, which also survives someone rewriting the instance row.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/clock.h"
#include "engine/base/history_chain.h"
#include "engine/base/status.h"

namespace slipway::slipctl {

// "2026-01-01T00:00:00.123Z" (or an offset like +02:00; fractions beyond milliseconds are
// cut) -> milliseconds since the epoch. kInvalidArgument otherwise.
Result<TimeMs> ParseRfc3339(const std::string& text);

// The chained fields of one served event. kInvalidArgument naming the malformed field.
Result<ChainedFields> FieldsFromServed(const std::string& workflow_id, const nlohmann::json& event);

// A chain head recorded earlier ("SEQ:HASH", as `audit verify` prints it). The chain is an
// unkeyed hash chain, so someone who can write the database can also recompute every hash
// after an edit, or cut the tail; checking against a head kept elsewhere catches both up to
// that head.
struct ChainAnchor {
  int64_t seq = 0;
  std::string hash;
  std::string name = "the recorded head";  // how messages call it
};
// kInvalidArgument (field "expect-head") unless "SEQ:HASH" with SEQ >= 1 and 64 hex digits.
Result<ChainAnchor> ParseAnchor(const std::string& text);

// Feeds events in the order served; the first break is kCorruption with the message
// "chain breaks at seq N: <why>", and every later call returns it again.
class ChainVerifier {
 public:
  explicit ChainVerifier(std::string workflow_id, std::optional<ChainAnchor> anchor = {})
      : workflow_id_(std::move(workflow_id)) {
    if (anchor) anchors_.push_back(std::move(*anchor));
  }
  // One more head to check against (before the first Add).
  void AddAnchor(ChainAnchor anchor) { anchors_.push_back(std::move(anchor)); }
  Status Add(const nlohmann::json& event);
  // After the last event: the first break, or one against an anchor (the history ends before
  // the anchor's seq, or holds another hash there).
  Status Finish();
  // Ok while intact, else the first break.
  const Status& status() const { return broken_; }
  // Events verified so far, and "SEQ:HASH" of the last of them.
  int64_t events() const { return expected_seq_ - 1; }
  std::string head() const { return std::to_string(events()) + ":" + prev_hash_; }

 private:
  Status Break(int64_t seq, const std::string& why);

  std::string workflow_id_;
  std::vector<ChainAnchor> anchors_;
  std::string prev_hash_ = kGenesisHash;
  int64_t expected_seq_ = 1;
  Status broken_;
};

}  // namespace slipway::slipctl
