// activities/build/build_cache.h: remembers a validation result per source, so that a repeated
// attempt of the validate step, or another deployment of the same files, does not rebuild it.
//
// Two kinds of key (BuildValidator picks one): a git TREE sha with the builder's settings (any
// repository: the same files built the same way give the same result, so a thousand tenants
// deploying one template build it once), or a repository and commit sha when the tree is not
// known. A sha names immutable content, so a result never goes stale; the validator stores only
// results that do not depend on the moment (no timeout, no cancellation, no network failure).
// Implementations: InMemoryBuildCache (tests, single process), FileBuildCache (one JSON file per
// key in a directory, survives restarts, written atomically by rename) and, in workflows/,
// StoreBuildCache (records in the Store: what slipwayd uses, shared by every node of a
// database). All are thread-safe; FileBuildCache is also safe across processes sharing the
// directory.
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
  // What the sha is read in: "owner/name" for a commit sha; for a tree sha "tree " followed by
  // the fingerprint of the builder settings the result depends on (BuildValidator).
  std::string scope;
  std::string sha;
};

class BuildCache {
 public:
  virtual ~BuildCache() = default;
  // The stored result (from_cache set), or nullopt on a miss. Errors: kCorruption (an
  // unreadable entry), kInternal (I/O); callers treat both as a miss.
  virtual Result<std::optional<BuildResult>> Get(const BuildCacheKey& key) = 0;
  // Stores `result` under key. The in-memory and file caches replace an earlier entry; the
  // store's keeps it (a key names one content built one way). Errors: kInternal (I/O).
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
  // scope is a safe file name.
  explicit FileBuildCache(std::string dir) : dir_(std::move(dir)) {}
  Result<std::optional<BuildResult>> Get(const BuildCacheKey& key) override;
  Status Put(const BuildCacheKey& key, const BuildResult& result) override;

 private:
  std::string PathFor(const BuildCacheKey& key) const;
  std::string dir_;
};

}  // namespace slipway::activities::build
