// http/body_cache.cc: BodyCache (see body_cache.h).
#include "http/body_cache.h"

#include <algorithm>
#include <functional>

namespace slipway::http {

BodyCache::BodyCache(size_t capacity) : shard_capacity_(std::max<size_t>(1, capacity / kShards)) {}

BodyCache::Shard& BodyCache::ShardOf(const std::string& id) const {
  return shards_[std::hash<std::string>{}(id) % kShards];
}

std::shared_ptr<const std::string> BodyCache::Find(const std::string& id, int64_t version,
                                                   const std::string& queued_behind) const {
  Shard& shard = ShardOf(id);
  std::lock_guard<std::mutex> lock(shard.mu);
  auto it = shard.entries.find(id);
  if (it == shard.entries.end() || it->second.version != version ||
      it->second.queued_behind != queued_behind) {
    return nullptr;
  }
  return it->second.body;
}

void BodyCache::Put(const std::string& id, int64_t version, const std::string& queued_behind,
                    std::shared_ptr<const std::string> body) {
  Shard& shard = ShardOf(id);
  std::lock_guard<std::mutex> lock(shard.mu);
  auto it = shard.entries.find(id);
  if (it != shard.entries.end()) {
    // Two requests may render different versions at once: keep the newer one.
    if (it->second.version <= version) it->second = Entry{version, queued_behind, std::move(body)};
    return;
  }
  if (shard.entries.size() >= shard_capacity_) shard.entries.erase(shard.entries.begin());
  shard.entries.emplace(id, Entry{version, queued_behind, std::move(body)});
}

size_t BodyCache::size() const {
  size_t n = 0;
  for (const Shard& s : shards_) {
    std::lock_guard<std::mutex> lock(s.mu);
    n += s.entries.size();
  }
  return n;
}

}  // namespace slipway::http
