// engine/audit.h: verification of a workflow's history hash chain, for auditors.
#pragma once

#include <vector>

#include "engine/base/status.h"
#include "storage/store.h"

namespace slipway::engine {

// Ok if seqs run 1..n without gaps and every prev_hash/hash recomputes. Otherwise kCorruption
// whose message names the first seq where the chain breaks and why.
Status VerifyChain(const std::vector<storage::HistoryEvent>& events);

}  // namespace slipway::engine
