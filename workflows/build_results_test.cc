// workflows/build_results_test.cc: build results kept in the store (StoreBuildCache), and two
// tenants deploying the same files: one build, the second served by the tree's cached result
// without downloading its source.
#include <gtest/gtest.h>

#include "workflows/build_results.h"
#include "workflows/testing/workflow_fixture.h"

namespace slipway::workflows::testing {
namespace {

using activities::build::BuildCacheKey;
using activities::build::BuildResult;
using nlohmann::json;
namespace st = engine::status;

BuildResult Passed(int64_t ms) {
  BuildResult r;
  r.passed = true;
  r.steps.push_back({"build", 0, ms, false});
  return r;
}

class BuildResultsTest : public WorkflowFixture {
 protected:
  int TarballDownloads() {
    int n = 0;
    for (const auto& e : emu_->log().Entries()) {
      if (e.method == "GET" && e.path.find("/tarball/") != std::string::npos) ++n;
    }
    return n;
  }
};

TEST_F(BuildResultsTest, StoreKeepsAResultPerKeyAndTheFirstOfTwoPuts) {
  StoreBuildCache cache(*store_);
  const BuildCacheKey key{"tree abc", "0123"};
  ASSERT_TRUE(cache.Get(key).ok());
  EXPECT_FALSE(cache.Get(key)->has_value());
  ASSERT_TRUE(cache.Put(key, Passed(7)).ok());
  ASSERT_TRUE(cache.Put(key, Passed(9)).ok()) << "a second node's build of the same key is no error";
  Result<std::optional<BuildResult>> hit = cache.Get(key);
  ASSERT_TRUE(hit.ok() && hit->has_value());
  EXPECT_TRUE((*hit)->from_cache);
  EXPECT_TRUE((*hit)->passed);
  EXPECT_EQ((*hit)->steps.at(0).duration_ms, 7);
  EXPECT_FALSE(cache.Get({"tree abc", "0124"})->has_value());
  EXPECT_FALSE(cache.Get({"tree abd", "0123"})->has_value());
  // A restarted process (another StoreBuildCache on the same store) sees it.
  EXPECT_TRUE(StoreBuildCache(*store_).Get(key)->has_value());
}

TEST_F(BuildResultsTest, TwoTenantsDeployingTheSameFilesBuildOnce) {
  MakeTenant("t1");
  MakeTenant("t2");
  const json site = {{"website_data", SiteData("Same")}};
  auto a = RunUntilSettled(Start("deployment", "t1", site).instance.id);
  ASSERT_EQ(a.instance.status, st::kCompleted) << a.instance.error_json;
  const int downloads = TarballDownloads();
  auto b = RunUntilSettled(Start("deployment", "t2", site).instance.id);
  ASSERT_EQ(b.instance.status, st::kCompleted) << b.instance.error_json;
  json va = LastOutput(a.instance.id, "validate"), vb = LastOutput(b.instance.id, "validate");
  EXPECT_FALSE(va["from_cache"].get<bool>());
  EXPECT_TRUE(vb["from_cache"].get<bool>());
  EXPECT_FALSE(va["tree_sha"].get<std::string>().empty());
  EXPECT_EQ(va["tree_sha"], vb["tree_sha"]);
  EXPECT_NE(va["sha"], vb["sha"]) << "two repositories, two commits, one tree";
  EXPECT_EQ(TarballDownloads(), downloads) << "a cached tree is not downloaded";
  // The miss waited for a build slot (a look of the same attempt); the hit took none.
  auto progress_of_validate = [this](const std::string& id) {
    int n = 0;
    for (const std::string& e : EventTypes(id)) n += e == "step_progress:validate";
    return n;
  };
  EXPECT_EQ(progress_of_validate(a.instance.id), 1);
  EXPECT_EQ(progress_of_validate(b.instance.id), 0);
  EXPECT_EQ(StepOf(a, "validate")["attempts"], 1);

  // Other files: built again.
  auto c = RunUntilSettled(Start("deployment", "t2", {{"website_data", SiteData("Other")}}).instance.id);
  ASSERT_EQ(c.instance.status, st::kCompleted) << c.instance.error_json;
  EXPECT_FALSE(LastOutput(c.instance.id, "validate")["from_cache"].get<bool>());
  EXPECT_NE(LastOutput(c.instance.id, "validate")["tree_sha"], vb["tree_sha"]);
}

}  // namespace
}  // namespace slipway::workflows::testing
