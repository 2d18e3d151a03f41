// workflows/build_results.h: build validation results kept in the engine's store, so that every
// slipwayd node on one database (and every later process) reuses a build: records in namespace
// "build_result", key = SHA-256 hex of the cache key's scope and sha, value
// {"scope", "sha", "result": BuildResult's JSON (activities/build/build_result.h)}.
//
// The validator keys a result by the source's git tree sha and its own settings
// (activities/build/build_cache.h), so N tenants deploying the same files make one build.
// A result is never edited in place: a sha names immutable content and the settings are in the
// key, so a second Put of the same key (two nodes built it at once) keeps the first. Records
// are small (the errors and output tail are capped by the validator: about 10 KB at most).
// Thread-safe (the store is).
#pragma once

#include <optional>
#include <string>

#include "activities/build/build_cache.h"
#include "storage/store.h"

namespace slipway::workflows {

inline constexpr const char* kBuildResultNamespace = "build_result";

class StoreBuildCache final : public activities::build::BuildCache {
 public:
  explicit StoreBuildCache(storage::Store& store) : store_(store) {}
  // nullopt on a miss; kCorruption for a record that is not a result of this key.
  Result<std::optional<activities::build::BuildResult>> Get(
      const activities::build::BuildCacheKey& key) override;
  // Stores the result unless the key has one already. Errors: the store's.
  Status Put(const activities::build::BuildCacheKey& key,
             const activities::build::BuildResult& result) override;

 private:
  storage::Store& store_;
};

}  // namespace slipway::workflows
