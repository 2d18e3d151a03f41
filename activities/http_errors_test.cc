#include "activities/http_errors.h"

#include <gtest/gtest.h>

namespace slipway::activities {
namespace {

constexpr TimeMs kNow = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

HttpResponse Resp(int status, std::string body = "") {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

TEST(HttpErrorsTest, SuccessIsOk) {
  EXPECT_TRUE(StatusFromResponse(Resp(200), "x", kNow).ok());
  EXPECT_TRUE(StatusFromResponse(Resp(201), "x", kNow).ok());
  EXPECT_TRUE(StatusFromResponse(Resp(204), "x", kNow).ok());
}

TEST(HttpErrorsTest, ServerErrorsAndRateLimitsAreRetryable) {
  for (int code : {408, 429, 500, 502, 503, 504, 529}) {
    Status s = StatusFromResponse(Resp(code), "x", kNow);
    EXPECT_EQ(s.code(), Code::kUnavailable) << code;
    EXPECT_TRUE(s.retryable()) << code;
  }
}

TEST(HttpErrorsTest, ClientErrorsAreNotRetryable) {
  EXPECT_EQ(StatusFromResponse(Resp(401), "x", kNow).code(), Code::kPermanent);
  EXPECT_EQ(StatusFromResponse(Resp(403), "x", kNow).code(), Code::kPermanent);
  EXPECT_EQ(StatusFromResponse(Resp(404), "x", kNow).code(), Code::kPermanent);
  EXPECT_EQ(StatusFromResponse(Resp(410), "x", kNow).code(), Code::kPermanent);
  EXPECT_EQ(StatusFromResponse(Resp(409), "x", kNow).code(), Code::kConflict);
  Status invalid = StatusFromResponse(
      Resp(422, R"({"message":"Validation Failed","errors":[{"field":"name","code":"custom"}]})"),
      "x", kNow);
  EXPECT_EQ(invalid.code(), Code::kInvalidArgument);
  EXPECT_EQ(invalid.field(), "name");
  EXPECT_EQ(StatusFromResponse(Resp(400), "x", kNow).code(), Code::kInvalidArgument);
}

TEST(HttpErrorsTest, RetryAfterSecondsAndMilliseconds) {
  HttpResponse r = Resp(429);
  r.headers.Add("Retry-After", "7");
  EXPECT_EQ(StatusFromResponse(r, "x", kNow).retry_after_ms(), 7000);
  r.headers.Add("retry-after-ms", "250");
  EXPECT_EQ(StatusFromResponse(r, "x", kNow).retry_after_ms(), 250);  // ms variant wins
}

TEST(HttpErrorsTest, RetryAfterHttpDate) {
  HttpResponse r = Resp(503);
  r.headers.Add("retry-after", "Thu, 01 Jan 2026 00:00:30 GMT");
  EXPECT_EQ(StatusFromResponse(r, "x", kNow).retry_after_ms(), 30'000);
}

TEST(HttpErrorsTest, GitHubForbiddenWithNoRemainingIsARateLimit) {
  HttpResponse r = Resp(403, R"({"message":"API rate limit exceeded for user."})");
  r.headers.Add("x-ratelimit-remaining", "0");
  r.headers.Add("x-ratelimit-reset", std::to_string(kNow / 1000 + 90));
  Status s = StatusFromResponse(r, "x", kNow);
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_EQ(s.retry_after_ms(), 90'000);
}

TEST(HttpErrorsTest, GitHubSecondaryLimitWithoutHeadersWaitsAMinute) {
  HttpResponse r = Resp(403, R"({"message":"You have exceeded a secondary rate limit.",
      "documentation_url":"https://docs.github.com/rest/overview/rate-limits#secondary-rate-limits"})");
  Status s = StatusFromResponse(r, "x", kNow);
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_EQ(s.retry_after_ms(), 60'000);
}

TEST(HttpErrorsTest, AnthropicResetOfTheExhaustedBucket) {
  HttpResponse r = Resp(429);
  r.headers.Add("anthropic-ratelimit-requests-remaining", "10");
  r.headers.Add("anthropic-ratelimit-requests-reset", "2026-01-01T00:00:05Z");
  r.headers.Add("anthropic-ratelimit-tokens-remaining", "0");
  r.headers.Add("anthropic-ratelimit-tokens-reset", "2026-01-01T00:00:02.500Z");
  EXPECT_EQ(StatusFromResponse(r, "x", kNow).retry_after_ms(), 2500);
}

TEST(HttpErrorsTest, ShouldRetryHeaderOverridesStatus) {
  HttpResponse r = Resp(429);
  r.headers.Add("x-should-retry", "false");
  EXPECT_EQ(StatusFromResponse(r, "x", kNow).code(), Code::kPermanent);
}

TEST(HttpErrorsTest, MessageKeepsOnlyRedactedRemoteMessage) {
  HttpResponse r = Resp(401, R"({"message":"Bad credentials for ghp_abcdefghijklmnopqrstuvwxyz012345",
      "secret_body_field":"do-not-leak"})");
  Status s = StatusFromResponse(r, "github get repo", kNow);
  EXPECT_NE(s.message().find("HTTP 401"), std::string::npos);
  EXPECT_NE(s.message().find("Bad credentials"), std::string::npos);
  EXPECT_EQ(s.message().find("ghp_abc"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("do-not-leak"), std::string::npos);
  EXPECT_EQ(StatusFromResponse(Resp(500, "<html>raw proxy page</html>"), "x", kNow).message(),
            "x: HTTP 500");
}

TEST(HttpErrorsTest, LongRemoteMessagesAreTruncated) {
  std::string body = R"({"error":{"type":"x","message":")" + std::string(1000, 'a') + "\"}}";
  EXPECT_LT(StatusFromResponse(Resp(400, body), "x", kNow).message().size(), 300u);
}

TEST(HttpErrorsTest, Rfc3339WithOffset) {
  EXPECT_EQ(ParseRfc3339("2026-01-01T01:00:00+01:00"), kNow);
  EXPECT_EQ(ParseRfc3339("garbage"), std::nullopt);
}

}  // namespace
}  // namespace slipway::activities
