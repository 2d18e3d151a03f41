// storage/sqlite_head_cache.h: the heads (Store::LoadHead's small fields) of instances read
// lately, so that a status poll needs no SQLite read while its workflow has not changed.
// Internal to SqliteStore.
//
// Exact for this process's own writes: the writer connection's update hook names every
// instances row a write transaction touches (Touched), and those entries go when the
// transaction ends (WriteEnded), whatever code path wrote them. Commits of other connections
// to the file (another process) are noticed by SqliteStore through the writer's
// `PRAGMA data_version` (ForgetAll): at the start of each of its write transactions, and
// before serving from the cache when it has not looked for longer than a bound.
//
// A read that raced a write transaction never leaves an old head behind: Put takes the
// generation seen before the read and refuses the entry if any write transaction ended since.
//
// Thread-safety: Find, Put and generation from any thread; Touched, WriteEnded and ForgetAll
// from the writer's thread only (under SqliteStore's write mutex).
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "storage/store.h"

namespace slipway::storage::sqlite {

class HeadCache {
 public:
  explicit HeadCache(size_t capacity) : capacity_(capacity) {}

  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  std::optional<Instance> Find(const std::string& id) const;
  // Caches `head` (instances row `rowid`), read after generation() returned `read_generation`.
  void Put(const Instance& head, int64_t rowid, uint64_t read_generation);

  void Touched(int64_t rowid) { touched_.push_back(rowid); }
  void WriteEnded();
  void ForgetAll();

  size_t size() const;  // for tests

 private:
  struct Entry {
    Instance head;
    int64_t rowid = 0;
  };

  const size_t capacity_;
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, Entry> by_id_;      // guarded by mu_
  std::unordered_map<int64_t, std::string> by_rowid_;  // guarded by mu_
  std::atomic<uint64_t> generation_{0};                // moved under mu_
  std::vector<int64_t> touched_;                       // writer's thread only
};

}  // namespace slipway::storage::sqlite
