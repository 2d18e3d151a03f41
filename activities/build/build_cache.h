// activities/build/build_cache.h: remembers a validation result per (repository, commit sha),
// so a repeated attempt of the validate step does not rebuild the same source.
//
// A commit sha names immutable source, so a result never goes stale; the validator stores only
// results that do not depend on the moment (no timeout, no cancellation, no network failure).
// Two implementations: InMemoryBuildCache (tests, single process) and FileBuildCache (one JSON
// file per key in a directory, survives restarts, written atomically by rename).
// Both are thread-safe; FileBuildCache is also safe across processes sharing the directory.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "activities/build/build_result.h"
#include "engine/base/status.h"

namespace slipway::activities::build {

struct BuildCacheKey {
  std::string repository;  // "owner/name"
  std::string commit_sha;
};

class BuildCache {
 public:
  virtual ~BuildCache() = default;
  // The stored result (from_cache set), or nullopt on a miss. Errors: kCorruption (an
  // unreadable entry), kInternal (I/O); callers treat both as a miss.
  virtual Result<std::optional<BuildResult>> Get(const BuildCacheKey& key) = 0;
  // Stores `result` under key, replacing any earlier entry. Errors: kInternal (I/O).
  virtual Status Put(const BuildCacheKey& key, const BuildResult& result) = 0;
};

class InMemoryBuildCache final : public BuildCache {
 public:
  Result<std::optional<BuildResult>> Get(const BuildCacheKey& key) override;
  Status Put(const BuildCacheKey& key, const BuildResult& result) override;

 private:
  std::mutex mu_;
  std::map<std::pair<std::string, std::string>, BuildResult> entries_;
};

class FileBuildCache final : public BuildCache {
 public:
  // `dir` is created on the first Put. Entries are named by the SHA-256 of the key, so any
  // repository name is a safe file name.
  explicit FileBuildCache(std::string dir) : dir_(std::move(dir)) {}
  Result<std::optional<BuildResult>> Get(const BuildCacheKey& key) override;
  Status Put(const BuildCacheKey& key, const BuildResult& result) override;

 private:
  std::string PathFor(const BuildCacheKey& key) const;
  std::string dir_;
};

}  // namespace slipway::activities::build
