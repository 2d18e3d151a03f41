#include "activities/curl_http_client.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "activities/emulator_fixture.h"

namespace slipway::activities {
namespace {

class CurlHttpClientTest : public testing::EmulatorFixture {
 protected:
  void SetUp() override {
    EmulatorFixture::SetUp();
    StartEmulator();
  }
  HttpRequest Get(const std::string& path, int64_t timeout_ms = 5000) {
    HttpRequest r;
    r.url = emu_->base_url() + path;
    r.timeout_ms = timeout_ms;
    r.headers.Add("Authorization", std::string("Bearer ") + testing::kToken);
    r.headers.Add("User-Agent", "test");
    return r;
  }
};

TEST_F(CurlHttpClientTest, ReturnsStatusHeadersAndBody) {
  Result<HttpResponse> r = http_.Send(Get("/repos/tmpl/site"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("\"full_name\":\"tmpl/site\""), std::string::npos);
  EXPECT_TRUE(r->headers.Get("content-type").has_value());  // case-insensitive lookup
  EXPECT_EQ(r->headers.Get("CONTENT-TYPE"), r->headers.Get("Content-Type"));
}

TEST_F(CurlHttpClientTest, SequentialRequestsReuseTheConnection) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(http_.Send(Get("/repos/tmpl/site")).ok());
  std::vector<emulator::LogEntry> log = emu_->log().Entries();
  ASSERT_EQ(log.size(), 3u);
  EXPECT_FALSE(log[0].peer.empty());
  EXPECT_EQ(log[1].peer, log[0].peer);  // same client port: same TCP connection
  EXPECT_EQ(log[2].peer, log[0].peer);
}

TEST_F(CurlHttpClientTest, NonSuccessStatusIsAResponseNotAnError) {
  Result<HttpResponse> r = http_.Send(Get("/repos/nobody/nothing"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 404);
}

TEST_F(CurlHttpClientTest, SendsBodiesWithPost) {
  HttpRequest r = Get("/_admin/faults");
  r.method = "POST";
  r.body = R"({"rules":[]})";
  Result<HttpResponse> resp = http_.Send(r);
  ASSERT_TRUE(resp.ok());
  EXPECT_EQ(resp->status, 200);
}

TEST_F(CurlHttpClientTest, HungRequestTimesOutAsDeadlineExceeded) {
  Faults(R"({"rules":[{"path":"/repos/*","hang_ms":20000}]})");
  Result<HttpResponse> r = http_.Send(Get("/repos/tmpl/site", 200));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kDeadlineExceeded);
  EXPECT_TRUE(r.status().retryable());
}

TEST_F(CurlHttpClientTest, ConnectionRefusedIsUnavailable) {
  HttpRequest r;
  r.url = "http://127.0.0.1:" + std::to_string(ClosedPort()) + "/x?secret=1";
  Result<HttpResponse> resp = http_.Send(r);
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), Code::kUnavailable);
  EXPECT_EQ(resp.status().message().find("secret"), std::string::npos);  // no query string
}

TEST_F(CurlHttpClientTest, OversizedResponseIsResourceExhausted) {
  CurlHttpClientOptions o;
  o.max_response_bytes = 64;
  CurlHttpClient small(o);
  Result<HttpResponse> r = small.Send(Get("/repos/tmpl/site"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kResourceExhausted);
}

TEST_F(CurlHttpClientTest, MaxBodyBytesKeepsTheStartOfALargeBody) {
  HttpRequest req = Get("/repos/tmpl/site");
  Result<HttpResponse> whole = http_.Send(req);
  ASSERT_TRUE(whole.ok());
  req.max_body_bytes = 20;
  Result<HttpResponse> cut = http_.Send(req);
  ASSERT_TRUE(cut.ok()) << cut.status().ToString();
  EXPECT_EQ(cut->status, 200);
  EXPECT_TRUE(cut->body_truncated);
  EXPECT_EQ(cut->body, whole->body.substr(0, 20));
  req.max_body_bytes = static_cast<int64_t>(whole->body.size());  // fits exactly: not cut
  Result<HttpResponse> fits = http_.Send(req);
  ASSERT_TRUE(fits.ok());
  EXPECT_FALSE(fits->body_truncated);
  EXPECT_EQ(fits->body, whole->body);
}

TEST_F(CurlHttpClientTest, BadUrlIsInvalidArgument) {
  HttpRequest r;
  r.url = "ftp://127.0.0.1/x";
  EXPECT_EQ(http_.Send(r).status().code(), Code::kInvalidArgument);
}

TEST_F(CurlHttpClientTest, ConcurrentSendsFromManyThreads) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        Result<HttpResponse> r = http_.Send(Get("/repos/tmpl/site"));
        if (r.ok() && r->status == 200) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 40);
}

}  // namespace
}  // namespace slipway::activities
