// tools/bench/timing_store.h: a Store decorator that times write transactions, for benchmarks.
// Forwards every call to the wrapped store; thread-safe.
#pragma once

#include <chrono>
#include <mutex>
#include <vector>

#include "storage/store.h"

namespace slipway::bench {

class TimingStore final : public storage::Store {
 public:
  explicit TimingStore(storage::Store& inner) : inner_(inner) {}

  Status Commit(const storage::Checkpoint& cp) override {
    auto t0 = std::chrono::steady_clock::now();
    Status st = inner_.Commit(cp);
    Record(t0, 1);
    return st;
  }
  std::vector<Status> CommitBatch(const std::vector<storage::Checkpoint>& cps) override {
    auto t0 = std::chrono::steady_clock::now();
    std::vector<Status> st = inner_.CommitBatch(cps);
    Record(t0, cps.size());
    return st;
  }
  Result<storage::Instance> Load(const std::string& id) override { return inner_.Load(id); }
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
  void SetChangeListener(std::function<void()> listener) override {
    inner_.SetChangeListener(std::move(listener));
  }

  // Forgets what was recorded so far (e.g. the start phase of a benchmark).
  void Reset() {
    std::lock_guard<std::mutex> lock(mu_);
    micros_.clear();
    sizes_.clear();
  }
  // Microseconds per commit transaction, and checkpoints per transaction.
  std::vector<double> commit_micros() {
    std::lock_guard<std::mutex> lock(mu_);
    return micros_;
  }
  std::vector<size_t> batch_sizes() {
    std::lock_guard<std::mutex> lock(mu_);
    return sizes_;
  }

 private:
  void Record(std::chrono::steady_clock::time_point t0, size_t n) {
    double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
    std::lock_guard<std::mutex> lock(mu_);
    micros_.push_back(us);
    sizes_.push_back(n);
  }
  storage::Store& inner_;
  std::mutex mu_;
  std::vector<double> micros_;
  std::vector<size_t> sizes_;
};

}  // namespace slipway::bench
