// engine/testing/holding_store.h: HoldingStore, a Store wrapper for tests of the commit path.
//
// Picks out one checkpoint: the first whose instance id is `id` and that records the event
// `event_type` (e.g. the outcome of step s1). Its batch is then either held inside
// CommitBatch until Release() (the committer thread waits there: the checkpoint is not durable
// yet), or refused (kUnavailable for that checkpoint alone, the others committed). Everything
// else forwards to `inner`, which must outlive the wrapper. Thread-safe as far as `inner` is.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "storage/store.h"

namespace slipway::engine::testing {

class HoldingStore final : public storage::Store {
 public:
  enum class Action { kHold, kFail };

  HoldingStore(storage::Store& inner, std::string id, std::string event_type, Action action)
      : inner_(inner), id_(std::move(id)), event_(std::move(event_type)), action_(action) {}

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

  Result<storage::Instance> Load(const std::string& id) override { return inner_.Load(id); }
  Result<storage::Instance> LoadHead(const std::string& id) override {
    return inner_.LoadHead(id);
  }
  Result<storage::ListPage> List(const storage::ListQuery& q) override { return inner_.List(q); }
  Result<std::vector<storage::HistoryEvent>> History(const std::string& id, int64_t after,
                                                     int limit) override {
    return inner_.History(id, after, limit);
  }
  Result<std::vector<storage::Task>> ClaimTasks(const storage::ClaimRequest& r) override {
    return inner_.ClaimTasks(r);
  }
  Result<std::vector<int64_t>> RenewLeases(const std::string& o, const std::vector<int64_t>& ids,
                                           TimeMs until) override {
    return inner_.RenewLeases(o, ids, until);
  }
  Status ReleaseLeases(const std::string& o, const std::vector<int64_t>& ids) override {
    return inner_.ReleaseLeases(o, ids);
  }
  Result<std::optional<TimeMs>> NextWakeUp() override { return inner_.NextWakeUp(); }
  Result<int64_t> CountClaimableTasks(TimeMs now) override {
    return inner_.CountClaimableTasks(now);
  }
  Result<std::vector<storage::Task>> TasksOf(const std::string& id) override {
    return inner_.TasksOf(id);
  }
  Status DeleteTask(int64_t id, const std::string& owner) override {
    return inner_.DeleteTask(id, owner);
  }
  Result<std::vector<std::string>> SerialQueue(const std::string& key) override {
    return inner_.SerialQueue(key);
  }
  Result<storage::Record> GetRecord(const std::string& ns, const std::string& key) override {
    return inner_.GetRecord(ns, key);
  }
  Status PutRecord(const storage::Record& r, int64_t v) override { return inner_.PutRecord(r, v); }
  Result<storage::StoreStats> Stats() override { return inner_.Stats(); }
  Result<std::vector<storage::TypeStatusCount>> CountByTypeAndStatus() override {
    return inner_.CountByTypeAndStatus();
  }

 private:
  bool Picks(const storage::Checkpoint& cp) const {
    if (cp.instance.id != id_) return false;
    for (const auto& e : cp.events) {
      if (e.type == event_) return true;
    }
    return false;
  }

  storage::Store& inner_;
  const std::string id_, event_;
  const Action action_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool picked_ = false;
  bool released_ = false;
};

}  // namespace slipway::engine::testing
