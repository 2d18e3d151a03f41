// activities/vercel_pages_test.cc: finding a deployment by its idempotency key pages through
// GET /v7/deployments (`pagination.next` -> `until=`), bounded: with the shapes of Vercel's
// docs (shared/reference/external-apis.md B.6, the SDK's Pagination model) and against the
// emulator's paginated list.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "activities/emulator_fixture.h"
#include "activities/vercel_client.h"

namespace slipway::activities {
namespace {

using nlohmann::json;

std::string QueryOf(const std::string& url, const std::string& name) {
  size_t q = url.find('?');
  if (q == std::string::npos) return "";
  std::string rest = "&" + url.substr(q + 1);
  size_t at = rest.find("&" + name + "=");
  if (at == std::string::npos) return "";
  size_t start = at + name.size() + 2;
  return rest.substr(start, rest.find('&', start) - start);
}

// Answers list-deployments pages from `pages`, keyed by the request's `until` ("" = first).
class PagedHttp : public HttpClient {
 public:
  Result<HttpResponse> Send(const HttpRequest& r) override {
    requests.push_back(r);
    HttpResponse resp;
    resp.headers.Add("Content-Type", "application/json");
    auto it = pages.find(QueryOf(r.url, "until"));
    resp.status = it == pages.end() ? 500 : 200;
    resp.body = it == pages.end() ? R"({"error":{"code":"x","message":"x"}})" : it->second.dump();
    return resp;
  }
  std::map<std::string, json> pages;
  std::vector<HttpRequest> requests;
};

// A deployment as the list returns it (B.6: `uid`, not `id`).
json Listed(const std::string& uid, int64_t created, const std::string& key) {
  json meta = key.empty() ? json::object() : json{{"slipwayIdempotencyKey", key}};
  return {{"uid", uid}, {"name", "tenant-foo"}, {"url", "tenant-foo-" + uid + ".vercel.app"},
          {"projectId", "prj_9a8b7c6d5e4f"}, {"createdAt", created}, {"state", "READY"},
          {"readyState", "READY"}, {"target", "production"}, {"meta", meta}};
}

json Page(std::vector<json> deployments, json next) {
  return {{"pagination", {{"count", deployments.size()}, {"next", next}, {"prev", nullptr}}},
          {"deployments", deployments}};
}

VercelConfig DocConfig() {
  VercelConfig c;
  c.api_url = "https://api.vercel.test";
  c.token = "vercel-test-token";
  return c;
}

TEST(VercelKeyPagesTest, FollowsPaginationNextAsUntilUntilTheKeyIsFound) {
  PagedHttp http;
  http.pages[""] = Page({Listed("dpl_c", 1756720300000, ""), Listed("dpl_b", 1756720200000, "x")},
                        1756720200000);
  http.pages["1756720200000"] =
      Page({Listed("dpl_a", 1756720100000, "t1:d/deploy#d1")}, nullptr);
  VercelClient vc(http, DocConfig());
  auto found = vc.FindByKey("prj_9a8b7c6d5e4f", "t1:d/deploy#d1");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id, "dpl_a");
  ASSERT_EQ(http.requests.size(), 2u);
  EXPECT_EQ(QueryOf(http.requests[0].url, "limit"), "100");
  EXPECT_EQ(QueryOf(http.requests[0].url, "projectId"), "prj_9a8b7c6d5e4f");
  EXPECT_EQ(QueryOf(http.requests[1].url, "until"), "1756720200000");
}

TEST(VercelKeyPagesTest, LastPageWithoutTheKeyIsNotFound) {
  PagedHttp http;
  http.pages[""] = Page({Listed("dpl_c", 1756720300000, "")}, nullptr);
  VercelClient vc(http, DocConfig());
  auto found = vc.FindByKey("prj_9a8b7c6d5e4f", "k");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
  EXPECT_EQ(http.requests.size(), 1u);
}

TEST(VercelKeyPagesTest, PagingIsBoundedAndNeverLoops) {
  PagedHttp http;
  int64_t t = 1756720300000;
  http.pages[""] = Page({Listed("dpl_0", t, "")}, t);
  for (int i = 1; i <= 50; ++i) {  // an endless history
    http.pages[std::to_string(t)] = Page({Listed("dpl_" + std::to_string(i), t - 1, "")}, t - 1);
    --t;
  }
  VercelClient vc(http, DocConfig());
  auto found = vc.FindByKey("prj_9a8b7c6d5e4f", "k");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
  EXPECT_EQ(http.requests.size(), static_cast<size_t>(VercelClient::kMaxKeyPages));

  PagedHttp stuck;  // a `next` that does not move back in time ends the search
  stuck.pages[""] = Page({Listed("dpl_0", 5, "")}, 5);
  stuck.pages["5"] = Page({Listed("dpl_0", 5, "")}, 5);
  VercelClient vc2(stuck, DocConfig());
  ASSERT_TRUE(vc2.FindByKey("prj_9a8b7c6d5e4f", "k").ok());
  EXPECT_EQ(stuck.requests.size(), 2u);
}

class VercelKeyPagesEmulatorTest : public testing::EmulatorFixture {};

TEST_F(VercelKeyPagesEmulatorTest, DeploymentBeyondTheFirstPageIsFoundNotMadeAgain) {
  StartEmulator();
  VercelClient vc(http_, Config().vercel);
  Result<VercelProject> p = vc.CreateProject({"site", "nextjs", "", {}});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  DeploymentSpec spec;
  spec.project = p->id;
  spec.target = "production";
  spec.git_org = "acme";
  spec.git_repo = "site";
  spec.git_ref = "main";
  spec.idempotency_key = "wf/deploy#d1";
  Result<VercelDeployment> first = vc.CreateDeployment(spec);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  const int later = VercelClient::kKeyPageSize + 20;  // pushes it off the first page
  for (int i = 0; i < later; ++i) {
    spec.idempotency_key = "other-" + std::to_string(i);
    ASSERT_TRUE(vc.CreateDeployment(spec).ok()) << i;
  }
  spec.idempotency_key = "wf/deploy#d1";
  Result<VercelDeployment> again = vc.CreateDeployment(spec);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->id, first->id);
  EXPECT_EQ(emu_->log().Count("deployment_created"), later + 1);
}

}  // namespace
}  // namespace slipway::activities
