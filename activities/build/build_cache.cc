// activities/build/build_cache.cc: in-memory and file-backed result caches.
#include "activities/build/build_cache.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/base/sha256.h"

namespace slipway::activities::build {
namespace fs = std::filesystem;

Result<std::optional<BuildResult>> InMemoryBuildCache::Get(const BuildCacheKey& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find({key.scope, key.sha});
  if (it == entries_.end()) return std::optional<BuildResult>();
  BuildResult r = it->second;
  r.from_cache = true;
  return std::optional<BuildResult>(std::move(r));
}

Status InMemoryBuildCache::Put(const BuildCacheKey& key, const BuildResult& result) {
  std::lock_guard<std::mutex> lock(mu_);
  BuildResult stored = result;
  stored.from_cache = false;
  entries_[{key.scope, key.sha}] = std::move(stored);
  return Status::Ok();
}

std::string FileBuildCache::PathFor(const BuildCacheKey& key) const {
  return (fs::path(dir_) / (Sha256Hex(key.scope + "\n" + key.sha) + ".json")).string();
}

Result<std::optional<BuildResult>> FileBuildCache::Get(const BuildCacheKey& key) {
  std::ifstream in(PathFor(key), std::ios::binary);
  if (!in) return std::optional<BuildResult>();  // no entry
  std::ostringstream text;
  text << in.rdbuf();
  nlohmann::json doc = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("result")) {
    return Corruption("build cache entry is not valid JSON: " + PathFor(key));
  }
  // The file name is a hash: check the key itself, so a collision can never serve a wrong result.
  const nlohmann::json& repo = doc["repository"];
  const nlohmann::json& sha = doc["commit_sha"];
  if (!repo.is_string() || repo.get<std::string>() != key.scope || !sha.is_string() ||
      sha.get<std::string>() != key.sha) {
    return std::optional<BuildResult>();
  }
  Result<BuildResult> r = BuildResultFromJson(doc["result"]);
  if (!r.ok()) return r.status();
  r->from_cache = true;
  return std::optional<BuildResult>(std::move(*r));
}

Status FileBuildCache::Put(const BuildCacheKey& key, const BuildResult& result) {
  static std::atomic<uint64_t> counter{0};
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) return Internal("build cache: cannot create " + dir_ + ": " + ec.message());
  BuildResult stored = result;
  stored.from_cache = false;
  nlohmann::json doc = {{"repository", key.scope},  // the names of the first file format
                        {"commit_sha", key.sha},
                        {"result", ToJson(stored)}};
  const std::string path = PathFor(key);
  // Write a private temp file, then rename: readers see the old entry or the new, never half.
  const std::string tmp = path + ".tmp." + std::to_string(getpid()) + "." +
                          std::to_string(counter.fetch_add(1));
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << doc.dump(2);
    out.flush();
    if (!out) {
      fs::remove(tmp, ec);
      return Internal("build cache: cannot write " + tmp);
    }
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return Internal("build cache: cannot rename into " + path + ": " + ec.message());
  }
  return Status::Ok();
}

}  // namespace slipway::activities::build
