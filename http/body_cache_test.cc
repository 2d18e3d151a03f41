// http/body_cache_test.cc: BodyCache keeps one body per id, for exactly one version, within its
// bound; over HTTP, a GET after a change never answers with the body of the old version.
#include "http/body_cache.h"

#include <gtest/gtest.h>

#include "http/http_test_fixture.h"

namespace slipway::http {
namespace {

std::shared_ptr<const std::string> Body(const std::string& text) {
  return std::make_shared<const std::string>(text);
}

TEST(BodyCacheTest, FindsOnlyTheVersionThatWasPut) {
  BodyCache cache;
  EXPECT_EQ(cache.Find("wf-1", 3, ""), nullptr);
  cache.Put("wf-1", 3, "", Body("v3"));
  ASSERT_NE(cache.Find("wf-1", 3, ""), nullptr);
  EXPECT_EQ(*cache.Find("wf-1", 3, ""), "v3");
  EXPECT_EQ(cache.Find("wf-1", 4, ""), nullptr);
  EXPECT_EQ(cache.Find("wf-2", 3, ""), nullptr);
}

TEST(BodyCacheTest, NewerVersionReplacesOlderButNotTheOtherWayRound) {
  BodyCache cache;
  cache.Put("wf-1", 3, "", Body("v3"));
  cache.Put("wf-1", 5, "", Body("v5"));
  EXPECT_EQ(cache.Find("wf-1", 3, ""), nullptr);
  cache.Put("wf-1", 4, "", Body("v4"));  // a slower renderer of an older version loses
  EXPECT_EQ(cache.Find("wf-1", 4, ""), nullptr);
  ASSERT_NE(cache.Find("wf-1", 5, ""), nullptr);
  EXPECT_EQ(*cache.Find("wf-1", 5, ""), "v5");
  EXPECT_EQ(cache.size(), 1u);
}

TEST(BodyCacheTest, StaysWithinItsCapacity) {
  BodyCache cache(64);
  for (int i = 0; i < 1000; ++i) cache.Put("wf-" + std::to_string(i), 1, "", Body("x"));
  EXPECT_LE(cache.size(), 64u);
  EXPECT_GT(cache.size(), 0u);
}

TEST(BodyCacheTest, QueuedBehindIsPartOfTheKey) {
  BodyCache cache;
  cache.Put("wf-3", 1, "wf-2", Body("behind wf-2"));
  EXPECT_EQ(cache.Find("wf-3", 1, "wf-1"), nullptr);
  EXPECT_EQ(cache.Find("wf-3", 1, ""), nullptr);
  ASSERT_NE(cache.Find("wf-3", 1, "wf-2"), nullptr);
  cache.Put("wf-3", 1, "wf-1", Body("behind wf-1"));
  EXPECT_EQ(*cache.Find("wf-3", 1, "wf-1"), "behind wf-1");
}

class BodyCacheHttpTest : public testing::HttpFixture {};

// Each GET of an unchanged workflow is served from the cache; every change must show.
TEST_F(BodyCacheHttpTest, RepeatedGetsFollowEveryChange) {
  const std::string id = StartOver("seven");
  int64_t last_version = -1;
  for (int round = 0; round < 10; ++round) {
    testing::Reply first = Get("/v1/workflows/" + id);
    testing::Reply second = Get("/v1/workflows/" + id);
    ASSERT_EQ(first.status, 200) << first.body;
    EXPECT_EQ(first.body, second.body);
    const int64_t version = first.json["version"];
    EXPECT_GT(version, last_version);
    EXPECT_EQ(first.header("ETag"), "\"" + std::to_string(version) + "\"");
    last_version = version;
    if (first.json["status"] == "completed") break;
    ASSERT_TRUE(engine().RunDueWork(1).ok());
  }
  EXPECT_EQ(Get("/v1/workflows/" + id).json["status"], "completed");
}

// A queued workflow names the one it waits behind, which changes without its own version.
TEST_F(BodyCacheHttpTest, QueuedBehindFollowsTheQueueAhead) {
  const std::string head = StartOver("deployment");
  const std::string second = StartOver("deployment");
  const std::string third = StartOver("deployment");
  testing::Reply before = Get("/v1/workflows/" + third);
  ASSERT_EQ(before.json["status"], "queued") << before.body;
  EXPECT_EQ(before.json["queued_behind"], second);
  ASSERT_EQ(Post("/v1/workflows/" + second + "/cancel", nlohmann::json::object()).status, 202);
  testing::Reply after = Get("/v1/workflows/" + third);
  EXPECT_EQ(after.json["status"], "queued") << after.body;
  EXPECT_EQ(after.json["queued_behind"], head) << after.body;
}

}  // namespace
}  // namespace slipway::http
