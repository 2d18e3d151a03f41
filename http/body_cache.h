// http/body_cache.h: BodyCache, the rendered JSON bodies of GET /v1/workflows/{id}, kept per
// (workflow id, version).
//
// Why: a status poll mostly finds its workflow unchanged, and turning a stored instance into
// its JSON (parsing the engine's context, building the steps, dumping) costs several times
// the store read itself. A checkpoint bumps the version by exactly one, so a body rendered for
// (id, version) stays right for as long as the store says the workflow is at that version: the
// handler still reads the instance on every request (other processes may commit too) and only
// the rendering is skipped. The one part of a body that is not the instance's own is a queued
// workflow's "queued_behind" (the workflow ahead in its tenant's queue, which moves without a
// checkpoint of this one), so it is part of the key ("" when not queued).
//
// Bounded: at most `capacity` entries; a full shard drops an arbitrary entry. Thread-safe
// (sharded mutexes); bodies are shared, immutable strings.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace slipway::http {

class BodyCache {
 public:
  explicit BodyCache(size_t capacity = 20'000);

  // The body rendered for exactly this version of `id` waiting behind `queued_behind`, or null.
  std::shared_ptr<const std::string> Find(const std::string& id, int64_t version,
                                          const std::string& queued_behind) const;
  // Remembers the body of (id, version, queued_behind), replacing an older version of id.
  void Put(const std::string& id, int64_t version, const std::string& queued_behind,
           std::shared_ptr<const std::string> body);
  size_t size() const;

 private:
  struct Entry {
    int64_t version;
    std::string queued_behind;
    std::shared_ptr<const std::string> body;
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, Entry> entries;  // guarded by mu
  };
  static constexpr size_t kShards = 16;
  Shard& ShardOf(const std::string& id) const;

  size_t shard_capacity_;
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace slipway::http
