// storage/testing/faulty_store.cc: see faulty_store.h.
#include "storage/testing/faulty_store.h"

namespace slipway::storage::testing {
namespace {

Status InjectedBefore() { return Unavailable("injected failure before commit"); }
Status InjectedAfter() { return Unavailable("injected failure after commit"); }

}  // namespace

void FaultyStore::FailNextCommits(int n, When when) {
  std::lock_guard<std::mutex> lock(mu_);
  remaining_ = n < 0 ? 0 : n;
  when_ = when;
}

int64_t FaultyStore::injected() const {
  std::lock_guard<std::mutex> lock(mu_);
  return injected_;
}

std::optional<FaultyStore::When> FaultyStore::TakeFailure() {
  std::lock_guard<std::mutex> lock(mu_);
  if (remaining_ == 0) return std::nullopt;
  remaining_--;
  injected_++;
  return when_;
}

Status FaultyStore::Commit(const Checkpoint& cp) {
  std::optional<When> fail = TakeFailure();
  if (fail == When::kBefore) return InjectedBefore();
  Status st = inner_.Commit(cp);
  // kAfter: an inner failure is reported as is, since nothing was committed then.
  if (fail == When::kAfter && st.ok()) return InjectedAfter();
  return st;
}

std::vector<Status> FaultyStore::CommitBatch(const std::vector<Checkpoint>& cps) {
  std::vector<std::optional<When>> fail(cps.size());
  std::vector<Checkpoint> forwarded;
  std::vector<size_t> index;  // position in cps of each forwarded checkpoint
  for (size_t i = 0; i < cps.size(); ++i) {
    fail[i] = TakeFailure();
    if (fail[i] == When::kBefore) continue;
    forwarded.push_back(cps[i]);
    index.push_back(i);
  }
  std::vector<Status> out(cps.size(), InjectedBefore());
  std::vector<Status> inner = forwarded.empty() ? std::vector<Status>()
                                                : inner_.CommitBatch(forwarded);
  for (size_t j = 0; j < inner.size() && j < index.size(); ++j) {
    const size_t i = index[j];
    out[i] = (fail[i] == When::kAfter && inner[j].ok()) ? InjectedAfter() : inner[j];
  }
  return out;
}

void FaultyStore::FailRenewals(int n, Renewal how) {
  std::lock_guard<std::mutex> lock(mu_);
  renewals_to_fail_ = n;
  renewal_ = how;
}

int64_t FaultyStore::renewals_failed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return renewals_failed_;
}

Result<std::vector<int64_t>> FaultyStore::RenewLeases(const std::string& owner,
                                                      const std::vector<int64_t>& ids,
                                                      TimeMs lease_until_ms) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (renewals_to_fail_ != 0) {
      if (renewals_to_fail_ > 0) renewals_to_fail_--;
      renewals_failed_++;
      if (renewal_ == Renewal::kError) return Unavailable("injected lease renewal failure");
      return ids;
    }
  }
  return inner_.RenewLeases(owner, ids, lease_until_ms);
}

}  // namespace slipway::storage::testing
