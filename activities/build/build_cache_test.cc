// activities/build/build_cache_test.cc: one suite run against both cache implementations, plus
// what only the file cache does (persistence, corrupt entries), and source tarball extraction.
#include "activities/build/build_cache.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>

#include "activities/build/source_archive.h"

namespace slipway::activities::build {
namespace {

namespace fs = std::filesystem;

fs::path TestDir(const std::string& tag) {
  fs::path p = fs::temp_directory_path() / ("slipway-cache-" + std::to_string(getpid()) + "-" + tag);
  fs::remove_all(p);
  return p;
}

BuildResult SampleResult() {
  BuildResult r;
  r.passed = false;
  r.steps = {{"install", 0, 1200, false}, {"build", 2, 3400, false}};
  r.errors = {{"tsc", "src/render.ts", 18, 9, "TS2322",
               "Type 'number' is not assignable to type 'string'."}};
  r.output_tail = "src/render.ts(18,9): error TS2322 ...\n\xff cut in half: \xe2\x9c";
  return r;
}

using CacheFactory = std::function<std::unique_ptr<BuildCache>(const fs::path&)>;

class BuildCacheContractTest : public ::testing::TestWithParam<CacheFactory> {
 protected:
  void SetUp() override {
    dir_ = TestDir(std::to_string(reinterpret_cast<uintptr_t>(this)));
    cache_ = GetParam()(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
  std::unique_ptr<BuildCache> cache_;
};

TEST_P(BuildCacheContractTest, MissThenHitMarkedFromCache) {
  const BuildCacheKey key{"acme/site", "0123abcd"};
  Result<std::optional<BuildResult>> miss = cache_->Get(key);
  ASSERT_TRUE(miss.ok());
  EXPECT_FALSE(miss->has_value());
  ASSERT_TRUE(cache_->Put(key, SampleResult()).ok());
  Result<std::optional<BuildResult>> hit = cache_->Get(key);
  ASSERT_TRUE(hit.ok());
  ASSERT_TRUE(hit->has_value());
  EXPECT_TRUE((*hit)->from_cache);
  EXPECT_EQ((*hit)->errors, SampleResult().errors);
  EXPECT_EQ((*hit)->steps, SampleResult().steps);
  EXPECT_FALSE((*hit)->passed);
}

TEST_P(BuildCacheContractTest, KeysAreRepositoryAndShaTogether) {
  ASSERT_TRUE(cache_->Put({"acme/site", "sha1"}, SampleResult()).ok());
  EXPECT_FALSE(cache_->Get({"acme/site", "sha2"})->has_value());
  EXPECT_FALSE(cache_->Get({"acme/other", "sha1"})->has_value());
  EXPECT_FALSE(cache_->Get({"acme/site\nsha1", ""})->has_value());
  EXPECT_FALSE(cache_->Get({"../../etc/passwd", "x"})->has_value());
}

TEST_P(BuildCacheContractTest, PutReplaces) {
  const BuildCacheKey key{"acme/site", "sha1"};
  ASSERT_TRUE(cache_->Put(key, SampleResult()).ok());
  BuildResult passed;
  passed.passed = true;
  ASSERT_TRUE(cache_->Put(key, passed).ok());
  EXPECT_TRUE((*cache_->Get(key))->passed);
}

INSTANTIATE_TEST_SUITE_P(
    Caches, BuildCacheContractTest,
    ::testing::Values(
        CacheFactory([](const fs::path&) { return std::make_unique<InMemoryBuildCache>(); }),
        CacheFactory([](const fs::path& d) { return std::make_unique<FileBuildCache>(d.string()); })));

TEST(FileBuildCacheTest, SurvivesANewInstanceAndWritesOneJsonFilePerKey) {
  fs::path dir = TestDir("persist");
  ASSERT_TRUE(FileBuildCache(dir.string()).Put({"acme/site", "sha1"}, SampleResult()).ok());
  ASSERT_TRUE(FileBuildCache(dir.string()).Put({"acme/site", "sha2"}, SampleResult()).ok());
  int files = 0;
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
    EXPECT_EQ(e.path().extension(), ".json");
    ++files;
  }
  EXPECT_EQ(files, 2);
  Result<std::optional<BuildResult>> hit = FileBuildCache(dir.string()).Get({"acme/site", "sha1"});
  ASSERT_TRUE(hit.ok());
  ASSERT_TRUE(hit->has_value());
  EXPECT_EQ((*hit)->errors[0].line, 18);
  fs::remove_all(dir);
}

TEST(FileBuildCacheTest, CorruptEntryIsReportedNotServed) {
  fs::path dir = TestDir("corrupt");
  FileBuildCache cache(dir.string());
  ASSERT_TRUE(cache.Put({"acme/site", "sha1"}, SampleResult()).ok());
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
    std::ofstream(e.path(), std::ios::trunc) << "{\"repository\": \"acme/site\", \"resu";
  }
  EXPECT_EQ(cache.Get({"acme/site", "sha1"}).status().code(), Code::kCorruption);
  fs::remove_all(dir);
}

TEST(BuildResultJsonTest, RoundTripsWithStableKeysAndValidUtf8) {
  nlohmann::json j = ToJson(SampleResult());
  for (const char* key : {"passed", "steps", "errors", "output_tail", "from_cache"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["errors"][0]["code"], "TS2322");
  EXPECT_NO_THROW(j.dump());  // invalid bytes became U+FFFD
  Result<BuildResult> back = BuildResultFromJson(nlohmann::json::parse(j.dump()));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->errors, SampleResult().errors);
  EXPECT_EQ(ValidUtf8("ok \xe2\x9c\x93"), "ok \xe2\x9c\x93");
  const std::string fffd = "\xef\xbf\xbd";
  EXPECT_EQ(ValidUtf8("a\xff" "b\xed\xa0\x80"), "a" + fffd + "b" + fffd + fffd + fffd);
  EXPECT_EQ(BuildResultFromJson(nlohmann::json{{"passed", "yes"}}).status().code(),
            Code::kCorruption);
}

class SourceArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TestDir("archive");
    fs::create_directories(dir_ / "acme-site-0123abc" / "src");
    std::ofstream(dir_ / "acme-site-0123abc" / "package.json") << "{}";
    std::ofstream(dir_ / "acme-site-0123abc" / "src" / "a.ts") << "export {};";
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Tar(const fs::path& root, const std::vector<std::string>& members) {
    ProcessSpec spec;
    spec.argv = {"tar", "-czf", (dir_ / "src.tar.gz").string(), "-C", root.string()};
    spec.argv.insert(spec.argv.end(), members.begin(), members.end());
    EXPECT_TRUE(runner_.Run(spec)->succeeded());
    return (dir_ / "src.tar.gz").string();
  }
  SystemClock clock_;
  PosixProcessRunner runner_{clock_};
  fs::path dir_;
};

TEST_F(SourceArchiveTest, StripsTheSingleTopLevelDirectoryAndCleansUp) {
  std::string tarball = Tar(dir_, {"acme-site-0123abc"});
  std::string temp;
  {
    ExtractOptions options;
    options.parent_dir = dir_.string();
    Result<ExtractedSource> src = ExtractTarball(runner_, tarball, options);
    ASSERT_TRUE(src.ok()) << src.status().ToString();
    temp = src->dir.path();
    EXPECT_EQ(fs::path(src->source_dir).filename(), "acme-site-0123abc");
    EXPECT_TRUE(fs::exists(fs::path(src->source_dir) / "src" / "a.ts"));
  }
  EXPECT_FALSE(fs::exists(temp)) << "the temp dir must go with the ExtractedSource";
}

TEST_F(SourceArchiveTest, FlatArchiveIsItsOwnRootAndBadInputIsAnError) {
  ExtractOptions options;
  options.parent_dir = dir_.string();
  std::string tarball = Tar(dir_ / "acme-site-0123abc", {"package.json", "src"});
  std::ofstream(dir_ / "junk.tar.gz") << "not a tarball";
  Result<ExtractedSource> bad = ExtractTarball(runner_, (dir_ / "junk.tar.gz").string(), options);
  EXPECT_EQ(bad.status().code(), Code::kPermanent);
  EXPECT_EQ(ExtractTarball(runner_, (dir_ / "none.tar.gz").string(), options).status().code(),
            Code::kNotFound);
  Result<ExtractedSource> src = ExtractTarball(runner_, tarball, options);
  ASSERT_TRUE(src.ok());
  EXPECT_EQ(src->source_dir, src->dir.path());
  EXPECT_TRUE(fs::exists(fs::path(src->source_dir) / "package.json"));
}

}  // namespace
}  // namespace slipway::activities::build
