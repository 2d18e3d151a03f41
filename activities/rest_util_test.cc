#include "activities/rest_util.h"

#include <gtest/gtest.h>

#include <deque>

#include "activities/github_client.h"

namespace slipway::activities {
namespace {

HttpHeaders LinkHeader(const std::string& value) {
  HttpHeaders h;
  h.Add("link", value);
  return h;
}

TEST(NextPageUrlTest, GitHubDocsShape) {
  // From GitHub's "Using pagination in the REST API" page.
  HttpHeaders h = LinkHeader(
      "<https://api.github.com/repositories/1300192/issues?page=2>; rel=\"prev\", "
      "<https://api.github.com/repositories/1300192/issues?page=4>; rel=\"next\", "
      "<https://api.github.com/repositories/1300192/issues?page=515>; rel=\"last\", "
      "<https://api.github.com/repositories/1300192/issues?page=1>; rel=\"first\"");
  EXPECT_EQ(NextPageUrl(h), "https://api.github.com/repositories/1300192/issues?page=4");
}

TEST(NextPageUrlTest, LastPageAndOddShapes) {
  EXPECT_EQ(NextPageUrl(HttpHeaders()), std::nullopt);
  EXPECT_EQ(NextPageUrl(LinkHeader("<https://a.test/x?page=1>; rel=\"first\"")), std::nullopt);
  EXPECT_EQ(NextPageUrl(LinkHeader("<https://a.test/x?page=2>;rel=next")), "https://a.test/x?page=2");
  EXPECT_EQ(NextPageUrl(LinkHeader("<https://a.test/x?page=3>; rel=\"next last\"")),
            "https://a.test/x?page=3");
  EXPECT_EQ(NextPageUrl(LinkHeader("<https://a.test/x?page=3>; rel=\"nextish\"")), std::nullopt);
  EXPECT_EQ(NextPageUrl(LinkHeader("<https://a.test/x?page=3; rel=\"next\"")), std::nullopt);
  EXPECT_EQ(NextPageUrl(LinkHeader(std::string(100000, '<'))), std::nullopt);
}

TEST(UrlOriginTest, SchemeHostAndPortLowerCased) {
  EXPECT_EQ(UrlOrigin("https://API.github.com/repos/x?y=1"), "https://api.github.com");
  EXPECT_EQ(UrlOrigin("http://127.0.0.1:8930"), "http://127.0.0.1:8930");
  EXPECT_EQ(UrlOrigin("/relative"), "");
}

// Serves GET /repos/acme/r/hooks?per_page=100 in two pages, as GitHub does past 100 hooks.
class PagedHooks : public HttpClient {
 public:
  Result<HttpResponse> Send(const HttpRequest& request) override {
    urls.push_back(request.method + " " + request.url);
    HttpResponse r;
    r.status = 200;
    if (request.method != "GET") {
      r.status = 201;
      r.body = R"({"id": 999, "config": {"url": "https://new.test/"}})";
    } else if (request.url.find("page=2") == std::string::npos) {
      r.body = Hooks(1, 100);
      r.headers.Add("Link", "<" + next_url + ">; rel=\"next\", <" + next_url + ">; rel=\"last\"");
    } else {
      r.body = Hooks(101, 101);
    }
    return r;
  }
  static std::string Hooks(int from, int to) {
    nlohmann::json list = nlohmann::json::array();
    for (int i = from; i <= to; ++i) {
      list.push_back({{"id", i}, {"config", {{"url", "https://h.test/" + std::to_string(i)}}}});
    }
    return list.dump();
  }
  std::string next_url = "https://api.github.test/repos/acme/r/hooks?per_page=100&page=2";
  std::vector<std::string> urls;
};

GitHubConfig Config() {
  GitHubConfig c;
  c.api_url = "https://api.github.test";
  c.token = "ghp_x";
  c.owner = "acme";
  return c;
}

TEST(GitHubPaginationTest, WebhookOnTheSecondPageIsFoundNotCreatedAgain) {
  PagedHooks http;
  GitHubClient gh(http, Config());
  Result<Webhook> h = gh.CreateWebhook({"r", "https://h.test/101", "", {"push"}});
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_FALSE(h->created);
  EXPECT_EQ(h->id, 101);
  ASSERT_EQ(http.urls.size(), 2u);  // two pages read, no POST
  EXPECT_EQ(http.urls[1], "GET " + http.next_url);
}

TEST(GitHubPaginationTest, NextPageOnAnotherHostIsNotFollowed) {
  PagedHooks http;
  http.next_url = "https://evil.test/repos/acme/r/hooks?page=2";
  GitHubClient gh(http, Config());
  Status s = gh.CreateWebhook({"r", "https://h.test/101", "", {"push"}}).status();
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_EQ(http.urls.size(), 1u);  // the token never went to evil.test
}

}  // namespace
}  // namespace slipway::activities
