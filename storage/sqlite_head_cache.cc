// storage/sqlite_head_cache.cc: HeadCache (see sqlite_head_cache.h).
#include "storage/sqlite_head_cache.h"

#include <mutex>

namespace slipway::storage::sqlite {

std::optional<Instance> HeadCache::Find(const std::string& id) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return std::nullopt;
  return it->second.head;
}

void HeadCache::Put(const Instance& head, int64_t rowid, uint64_t read_generation) {
  std::unique_lock<std::shared_mutex> lock(mu_);
  if (generation_.load(std::memory_order_relaxed) != read_generation) return;
  if (by_id_.size() >= capacity_) {
    by_id_.clear();
    by_rowid_.clear();
  }
  auto it = by_id_.insert_or_assign(head.id, Entry{head, rowid}).first;
  by_rowid_[rowid] = it->first;
}

void HeadCache::WriteEnded() {
  std::unique_lock<std::shared_mutex> lock(mu_);
  for (int64_t rowid : touched_) {
    auto it = by_rowid_.find(rowid);
    if (it == by_rowid_.end()) continue;
    by_id_.erase(it->second);
    by_rowid_.erase(it);
  }
  touched_.clear();
  generation_.fetch_add(1, std::memory_order_release);
}

void HeadCache::ForgetAll() {
  std::unique_lock<std::shared_mutex> lock(mu_);
  by_id_.clear();
  by_rowid_.clear();
  generation_.fetch_add(1, std::memory_order_release);
}

size_t HeadCache::size() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return by_id_.size();
}

}  // namespace slipway::storage::sqlite
