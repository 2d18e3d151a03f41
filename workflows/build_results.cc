// workflows/build_results.cc: StoreBuildCache (see build_results.h).
#include "workflows/build_results.h"

#include <nlohmann/json.hpp>

#include "engine/base/sha256.h"

namespace slipway::workflows {

using activities::build::BuildCacheKey;
using activities::build::BuildResult;
using nlohmann::json;

namespace {
std::string RecordKey(const BuildCacheKey& key) { return Sha256Hex(key.scope + "\n" + key.sha); }
}  // namespace

Result<std::optional<BuildResult>> StoreBuildCache::Get(const BuildCacheKey& key) {
  Result<storage::Record> rec = store_.GetRecord(kBuildResultNamespace, RecordKey(key));
  if (!rec.ok() && rec.status().code() == Code::kNotFound) return std::optional<BuildResult>();
  if (!rec.ok()) return rec.status();
  json doc = json::parse(rec->value_json, nullptr, false);
  if (!doc.is_object() || !doc.contains("result")) {
    return Corruption("build result record " + rec->key + " is not valid JSON");
  }
  // The record key is a hash: compare the key itself, so a collision never serves a wrong result.
  if (doc.value("scope", "") != key.scope || doc.value("sha", "") != key.sha) {
    return std::optional<BuildResult>();
  }
  Result<BuildResult> r = activities::build::BuildResultFromJson(doc["result"]);
  if (!r.ok()) return r.status();
  r->from_cache = true;
  return std::optional<BuildResult>(std::move(*r));
}

Status StoreBuildCache::Put(const BuildCacheKey& key, const BuildResult& result) {
  BuildResult stored = result;
  stored.from_cache = false;
  json doc = {{"scope", key.scope}, {"sha", key.sha}, {"result", activities::build::ToJson(stored)}};
  Status put = store_.PutRecord(
      {kBuildResultNamespace, RecordKey(key),
       doc.dump(-1, ' ', false, json::error_handler_t::replace), 0},
      /*expected_version=*/0);
  // Another attempt or node stored this key first: the same files built the same way.
  if (put.code() == Code::kConflict || put.code() == Code::kAlreadyExists) return Status::Ok();
  return put;
}

}  // namespace slipway::workflows
