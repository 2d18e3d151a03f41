// tools/bench/timing_store.h: a Store decorator that times write transactions, for benchmarks.
// Forwards every call to the wrapped store; thread-safe.
#pragma once

#include <chrono>
#include <mutex>
#include <vector>

#include "storage/forwarding_store.h"

namespace slipway::bench {

class TimingStore final : public storage::ForwardingStore {
 public:
  explicit TimingStore(storage::Store& inner) : ForwardingStore(inner) {}

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
  std::mutex mu_;
  std::vector<double> micros_;
  std::vector<size_t> sizes_;
};

}  // namespace slipway::bench
