// engine/testing/holding_store.h: HoldingStore, a Store wrapper for tests of the commit path.
//
// Picks out one checkpoint: the first whose instance id is `id` and that records the event
// `event_type` (e.g. the outcome of step s1). Its batch is then either held inside
// CommitBatch until Release() (the committer thread waits there: the checkpoint is not durable
// yet), or refused (kUnavailable for that checkpoint alone, the others committed). Everything
// else forwards to `inner` (ForwardingStore), which must outlive the wrapper. Thread-safe as far as `inner` is.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "storage/forwarding_store.h"

namespace slipway::engine::testing {

class HoldingStore final : public storage::ForwardingStore {
 public:
  enum class Action { kHold, kFail };

  HoldingStore(storage::Store& inner, std::string id, std::string event_type, Action action)
      : ForwardingStore(inner), id_(std::move(id)), event_(std::move(event_type)), action_(action) {}

  // Waits (at most `limit`) until the picked checkpoint arrived; true if it did.
  bool WaitUntilPicked(std::chrono::milliseconds limit) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, limit, [this] { return picked_; });
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

  std::vector<Status> CommitBatch(const std::vector<storage::Checkpoint>& cps) override {
    size_t pick = cps.size();
    {
      std::unique_lock<std::mutex> lock(mu_);
      for (size_t i = 0; i < cps.size() && !picked_; ++i) {
        if (Picks(cps[i])) pick = i;
      }
      if (pick < cps.size()) {
        picked_ = true;
        cv_.notify_all();
        if (action_ == Action::kHold) cv_.wait(lock, [this] { return released_; });
      }
    }
    if (pick == cps.size() || action_ == Action::kHold) return inner_.CommitBatch(cps);
    std::vector<storage::Checkpoint> others;
    for (size_t i = 0; i < cps.size(); ++i) {
      if (i != pick) others.push_back(cps[i]);
    }
    std::vector<Status> rest = inner_.CommitBatch(others);
    std::vector<Status> out;
    for (size_t i = 0, j = 0; i < cps.size(); ++i) {
      out.push_back(i == pick ? Unavailable("refused by HoldingStore") : rest[j++]);
    }
    return out;
  }
  Status Commit(const storage::Checkpoint& cp) override { return CommitBatch({cp})[0]; }

 private:
  bool Picks(const storage::Checkpoint& cp) const {
    if (cp.instance.id != id_) return false;
    for (const auto& e : cp.events) {
      if (e.type == event_) return true;
    }
    return false;
  }

  const std::string id_, event_;
  const Action action_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool picked_ = false;
  bool released_ = false;
};

}  // namespace slipway::engine::testing
