// storage/testing/faulty_store.h: FaultyStore, a Store wrapper for tests that fails commits
// on demand, either before they reach the wrapped store or after they were applied (the
// ambiguous case: the data is committed but the caller hears kUnavailable).
//
// It also fails lease renewals on demand: with an error, or by reporting every lease as lost
// (as when another owner took the tasks).
//
// Owns nothing: `inner` must outlive the wrapper. Every method forwards to `inner` (ForwardingStore); only
// Commit and CommitBatch (per checkpoint, in order) consume armed commit failures, and
// RenewLeases armed renewal failures. Thread-safe as far as `inner` is.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "storage/forwarding_store.h"

namespace slipway::storage::testing {

class FaultyStore final : public ForwardingStore {
 public:
  enum class When {
    kBefore,  // return kUnavailable without committing
    kAfter,   // commit through the inner store, then return kUnavailable
  };

  explicit FaultyStore(Store& inner) : ForwardingStore(inner) {}

  // The next n checkpoints committed (through Commit or CommitBatch) fail at `when`.
  // Replaces any failures still armed.
  void FailNextCommits(int n, When when);
  // Failures injected so far.
  int64_t injected() const;

  enum class Renewal {
    kError,  // RenewLeases returns kUnavailable and renews nothing
    kLost,   // RenewLeases renews nothing and reports every id as lost
  };
  // The next n calls of RenewLeases fail as `how` (n < 0: every call until disarmed with 0).
  void FailRenewals(int n, Renewal how);
  int64_t renewals_failed() const;

  Status Commit(const Checkpoint& cp) override;
  std::vector<Status> CommitBatch(const std::vector<Checkpoint>& cps) override;
  Result<std::vector<int64_t>> RenewLeases(const std::string& owner,
                                           const std::vector<int64_t>& ids,
                                           TimeMs lease_until_ms) override;

 private:
  // Consumes one armed failure, if any.
  std::optional<When> TakeFailure();

  mutable std::mutex mu_;
  int remaining_ = 0;  // guarded by mu_
  When when_ = When::kBefore;
  int64_t injected_ = 0;
  int renewals_to_fail_ = 0;  // guarded by mu_; < 0 = all
  Renewal renewal_ = Renewal::kError;
  int64_t renewals_failed_ = 0;
};

}  // namespace slipway::storage::testing
