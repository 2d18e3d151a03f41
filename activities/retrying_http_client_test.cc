#include "activities/retrying_http_client.h"

#include <gtest/gtest.h>

#include <deque>
#include <vector>

namespace slipway::activities {
namespace {

// Answers from a script; each send may take some (fake) time.
class ScriptedHttp : public HttpClient {
 public:
  explicit ScriptedHttp(FakeClock& clock) : clock_(clock) {}
  Result<HttpResponse> Send(const HttpRequest& request) override {
    sent.push_back(request.method + " " + request.url);
    clock_.Advance(std::chrono::milliseconds(send_ms));
    if (script.empty()) return Resp(200);
    Result<HttpResponse> next = script.front();
    script.pop_front();
    return next;
  }
  static HttpResponse Resp(int status, std::vector<std::pair<std::string, std::string>> h = {}) {
    HttpResponse r;
    r.status = status;
    for (auto& [k, v] : h) r.headers.Add(k, v);
    return r;
  }
  std::deque<Result<HttpResponse>> script;
  std::vector<std::string> sent;
  int64_t send_ms = 10;

 private:
  FakeClock& clock_;
};

class RetryingHttpClientTest : public ::testing::Test {
 protected:
  RetryingHttpClient Client(RetryingHttpOptions o = {}) {
    o.seed = 42;
    return RetryingHttpClient(inner_, clock_, [this](int64_t ms) {
      waits_.push_back(ms);
      clock_.Advance(std::chrono::milliseconds(ms));
    }, o);
  }
  static HttpRequest Req(const std::string& method, const std::string& path) {
    HttpRequest r;
    r.method = method;
    r.url = "https://api.github.com" + path;
    return r;
  }
  std::string NowPlusS(int64_t s) const { return std::to_string(clock_.NowMs() / 1000 + s); }

  mutable FakeClock clock_;
  ScriptedHttp inner_{clock_};
  std::vector<int64_t> waits_;
};

TEST(IsSafeToRepeatTest, ReadsAndContentAddressedGitWritesOnly) {
  auto req = [](const std::string& m, const std::string& url) {
    HttpRequest r;
    r.method = m;
    r.url = url;
    return r;
  };
  const std::string gh = "https://api.github.com";
  EXPECT_TRUE(IsSafeToRepeat(req("GET", gh + "/repos/o/r/contents/a.json?ref=main")));
  EXPECT_TRUE(IsSafeToRepeat(req("HEAD", "https://site.test/")));
  EXPECT_TRUE(IsSafeToRepeat(req("POST", gh + "/repos/o/r/git/blobs")));
  EXPECT_TRUE(IsSafeToRepeat(req("POST", gh + "/repos/o/r/git/trees")));
  EXPECT_TRUE(IsSafeToRepeat(req("POST", gh + "/repos/o/r/git/commits")));
  EXPECT_TRUE(IsSafeToRepeat(req("POST", "https://ghe.test/api/v3/repos/o/r/git/trees")));
  // Effects: a branch moved or made, a file committed, a repo, a deployment, an LLM call.
  EXPECT_FALSE(IsSafeToRepeat(req("POST", gh + "/repos/o/r/git/refs")));
  EXPECT_FALSE(IsSafeToRepeat(req("PATCH", gh + "/repos/o/r/git/refs/heads/main")));
  EXPECT_FALSE(IsSafeToRepeat(req("PUT", gh + "/repos/o/r/contents/a.json")));
  EXPECT_FALSE(IsSafeToRepeat(req("POST", gh + "/repos/t/site/generate")));
  EXPECT_FALSE(IsSafeToRepeat(req("POST", gh + "/repos/o/r/hooks")));
  EXPECT_FALSE(IsSafeToRepeat(req("POST", "https://api.vercel.com/v13/deployments")));
  EXPECT_FALSE(IsSafeToRepeat(req("POST", "https://api.anthropic.com/v1/messages")));
  EXPECT_FALSE(IsSafeToRepeat(req("POST", gh + "/repos/o/r/git/commits/x")));
  EXPECT_FALSE(IsSafeToRepeat(req("POST", gh + "/repos/o//git/blobs")));
  EXPECT_FALSE(IsSafeToRepeat(req("DELETE", gh + "/repos/o/r/git/blobs")));
}

TEST_F(RetryingHttpClientTest, ServerErrorsOnAGetAreRepeatedUntilAnAnswer) {
  inner_.script = {ScriptedHttp::Resp(503), ScriptedHttp::Resp(502), ScriptedHttp::Resp(200)};
  auto client = Client();
  Result<HttpResponse> r = client.Send(Req("GET", "/repos/o/r"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(inner_.sent.size(), 3u);
  EXPECT_EQ(client.repeats(), 2);
  ASSERT_EQ(waits_.size(), 2u);
  EXPECT_LE(waits_[0], 200);  // full jitter under the first ceiling
  EXPECT_LE(waits_[1], 400);
}

TEST_F(RetryingHttpClientTest, GitObjectWriteIsRepeatedButARefUpdateIsNot) {
  inner_.script = {ScriptedHttp::Resp(500), ScriptedHttp::Resp(201)};
  auto client = Client();
  EXPECT_EQ(client.Send(Req("POST", "/repos/o/r/git/trees"))->status, 201);
  inner_.script = {ScriptedHttp::Resp(502)};
  inner_.sent.clear();
  EXPECT_EQ(client.Send(Req("PATCH", "/repos/o/r/git/refs/heads/main"))->status, 502);
  EXPECT_EQ(inner_.sent.size(), 1u);  // the engine's next attempt looks before it repeats
}

TEST_F(RetryingHttpClientTest, TriesAreBounded) {
  for (int i = 0; i < 10; ++i) inner_.script.push_back(ScriptedHttp::Resp(503));
  auto client = Client();
  EXPECT_EQ(client.Send(Req("GET", "/x"))->status, 503);
  EXPECT_EQ(inner_.sent.size(), 4u);
}

TEST_F(RetryingHttpClientTest, TotalTimeIsBounded) {
  for (int i = 0; i < 10; ++i) inner_.script.push_back(ScriptedHttp::Resp(504));
  inner_.send_ms = 6'000;  // each send waits 6 s for its gateway timeout
  RetryingHttpOptions o;
  o.max_tries = 10;
  auto client = Client(o);
  EXPECT_EQ(client.Send(Req("GET", "/x"))->status, 504);
  EXPECT_EQ(inner_.sent.size(), 3u);  // a fourth would start after 18 s > 15 s
}

TEST_F(RetryingHttpClientTest, ShortRetryAfterIsWaitedExactly) {
  inner_.script = {ScriptedHttp::Resp(429, {{"Retry-After", "1"}}), ScriptedHttp::Resp(200)};
  auto client = Client();
  EXPECT_EQ(client.Send(Req("GET", "/x"))->status, 200);
  EXPECT_EQ(waits_, std::vector<int64_t>{1000});
}

TEST_F(RetryingHttpClientTest, LongRetryAfterGoesBackToTheEngineAtOnce) {
  inner_.script = {ScriptedHttp::Resp(429, {{"Retry-After", "60"}})};
  auto client = Client();
  EXPECT_EQ(client.Send(Req("GET", "/x"))->status, 429);
  EXPECT_EQ(inner_.sent.size(), 1u);
  EXPECT_TRUE(waits_.empty());
}

TEST_F(RetryingHttpClientTest, GitHub5xxWithAFarResetIsRepeatedSoon) {
  // Real GitHub shape: every answer carries the primary window; 4999 left is no rate limit.
  inner_.script = {ScriptedHttp::Resp(502, {{"x-ratelimit-limit", "5000"},
                                            {"x-ratelimit-remaining", "4999"},
                                            {"x-ratelimit-reset", NowPlusS(3600)}}),
                   ScriptedHttp::Resp(200)};
  auto client = Client();
  EXPECT_EQ(client.Send(Req("GET", "/repos/o/r"))->status, 200);
  ASSERT_EQ(waits_.size(), 1u);
  EXPECT_LE(waits_[0], 200);
}

TEST_F(RetryingHttpClientTest, SpentGitHubWindowGoesBackToTheEngine) {
  inner_.script = {ScriptedHttp::Resp(403, {{"x-ratelimit-remaining", "0"},
                                            {"x-ratelimit-reset", NowPlusS(1800)}})};
  auto client = Client();
  EXPECT_EQ(client.Send(Req("GET", "/repos/o/r"))->status, 403);
  EXPECT_EQ(inner_.sent.size(), 1u);
}

TEST_F(RetryingHttpClientTest, AnthropicOverloadedWithShortRetryAfterMs) {
  inner_.script = {ScriptedHttp::Resp(529, {{"retry-after-ms", "750"}}), ScriptedHttp::Resp(200)};
  auto client = Client();
  HttpRequest r = Req("GET", "/v1/models");
  EXPECT_EQ(client.Send(r)->status, 200);
  EXPECT_EQ(waits_, std::vector<int64_t>{750});
}

TEST_F(RetryingHttpClientTest, ClientErrorsAreNotRepeated) {
  for (int code : {400, 401, 404, 409, 422}) {
    inner_.script = {ScriptedHttp::Resp(code)};
    inner_.sent.clear();
    auto client = Client();
    EXPECT_EQ(client.Send(Req("GET", "/x"))->status, code);
    EXPECT_EQ(inner_.sent.size(), 1u) << code;
  }
}

TEST_F(RetryingHttpClientTest, NetworkErrorsAreRepeatedButBadUrlsAreNot) {
  inner_.script = {Result<HttpResponse>(Unavailable("GET x: connection refused")),
                   Result<HttpResponse>(Status(Code::kDeadlineExceeded, "GET x: timed out")),
                   ScriptedHttp::Resp(200)};
  auto client = Client();
  EXPECT_EQ(client.Send(Req("GET", "/x"))->status, 200);
  inner_.script = {Result<HttpResponse>(InvalidArgument("url", "bad"))};
  inner_.sent.clear();
  EXPECT_EQ(client.Send(Req("GET", "/x")).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(inner_.sent.size(), 1u);
}

TEST_F(RetryingHttpClientTest, NonIdempotentCallIsSentOnceWhateverTheAnswer) {
  inner_.script = {ScriptedHttp::Resp(503)};
  auto client = Client();
  HttpRequest r;
  r.method = "POST";
  r.url = "https://api.vercel.com/v13/deployments";
  EXPECT_EQ(client.Send(r)->status, 503);
  EXPECT_EQ(inner_.sent.size(), 1u);
  EXPECT_EQ(client.repeats(), 0);
}

}  // namespace
}  // namespace slipway::activities
