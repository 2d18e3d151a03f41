// storage/pg_head_cache.h: the heads (Store::LoadHead's small fields) of instances PgStore
// read lately. Internal to PgStore.
//
// PgStore forgets an entry after each of its own commits of that workflow and when the
// listener reports another node's commit of it (ForgetAll when it cannot tell which), and
// serves from here only while the listener is connected. A read that raced a commit never
// leaves an old head behind: Put takes the generation seen before the read and refuses the
// entry if anything was forgotten since.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "storage/store.h"

namespace slipway::storage::pg {

class HeadCache {
 public:
  explicit HeadCache(size_t capacity) : capacity_(capacity) {}

  uint64_t generation() const {
    std::lock_guard<std::mutex> lock(mu_);
    return generation_;
  }
  std::optional<Instance> Find(const std::string& id) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = heads_.find(id);
    if (it == heads_.end()) return std::nullopt;
    return it->second;
  }
  void Put(const Instance& head, uint64_t read_generation) {
    std::lock_guard<std::mutex> lock(mu_);
    if (generation_ != read_generation) return;
    if (heads_.size() >= capacity_) heads_.clear();
    heads_.insert_or_assign(head.id, head);
  }
  void Forget(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    heads_.erase(id);
    ++generation_;
  }
  void ForgetAll() {
    std::lock_guard<std::mutex> lock(mu_);
    heads_.clear();
    ++generation_;
  }

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Instance> heads_;  // guarded by mu_
  uint64_t generation_ = 0;                          // guarded by mu_
};

}  // namespace slipway::storage::pg
