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

// The documented header shapes (reference/external-apis.md A.8, B.9, C.3-C.4).

TEST(HttpErrorsTest, GitHubServerErrorWithAFarResetIsNoWait) {
  // Every GitHub answer carries the primary window: a 502 with 4999 left is not a rate limit.
  HttpResponse r = Resp(502, R"({"message":"Server Error"})");
  r.headers.Add("x-ratelimit-limit", "5000");
  r.headers.Add("x-ratelimit-remaining", "4999");
  r.headers.Add("x-ratelimit-used", "1");
  r.headers.Add("x-ratelimit-reset", std::to_string(kNow / 1000 + 3600));
  r.headers.Add("x-ratelimit-resource", "core");
  Status s = StatusFromResponse(r, "x", kNow);
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_EQ(s.retry_after_ms(), std::nullopt);
  EXPECT_EQ(RetryAfterMs(r.headers, kNow), std::nullopt);
}

TEST(HttpErrorsTest, GitHubPrimaryLimitAs429WaitsForTheReset) {
  HttpResponse r = Resp(429, R"({"message":"API rate limit exceeded for user ID 1."})");
  r.headers.Add("x-ratelimit-remaining", "0");
  r.headers.Add("x-ratelimit-reset", std::to_string(kNow / 1000 + 600));
  EXPECT_EQ(StatusFromResponse(r, "x", kNow).retry_after_ms(), 600'000);
}

TEST(HttpErrorsTest, GitHubSecondaryLimitRetryAfterWins) {
  HttpResponse r = Resp(403, R"({"message":"You have exceeded a secondary rate limit.",
      "documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"})");
  r.headers.Add("retry-after", "30");
  r.headers.Add("x-ratelimit-remaining", "4000");
  r.headers.Add("x-ratelimit-reset", std::to_string(kNow / 1000 + 3600));
  Status s = StatusFromResponse(r, "x", kNow);
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_EQ(s.retry_after_ms(), 30'000);
}

TEST(HttpErrorsTest, GitHubSecondaryLimitWithSpentWindowWaitsForTheReset) {
  HttpResponse r = Resp(403, R"({"message":"You have exceeded a secondary rate limit.",
      "documentation_url":"https://docs.github.com/free-pro-team@latest/rest/overview/resources-in-the-rest-api#secondary-rate-limits"})");
  r.headers.Add("x-ratelimit-remaining", "0");
  r.headers.Add("x-ratelimit-reset", std::to_string(kNow / 1000 + 120));
  EXPECT_EQ(StatusFromResponse(r, "x", kNow).retry_after_ms(), 120'000);
}

TEST(HttpErrorsTest, VercelRateLimitedUsesRetryAfterElseTheBodysReset) {
  HttpResponse r = Resp(429, R"({"error":{"code":"rate_limited","message":"Rate limit exceeded",
      "limit":{"remaining":0,"reset":1767225612,"resetMs":1767225612000,"total":100}}})");
  EXPECT_EQ(StatusFromResponse(r, "x", kNow).retry_after_ms(), 12'000);  // body: resetMs
  r.headers.Add("Retry-After", "3");
  EXPECT_EQ(StatusFromResponse(r, "x", kNow).retry_after_ms(), 3000);    // header wins
}

TEST(HttpErrorsTest, VercelServerErrorWithWindowLeftIsNoWait) {
  HttpResponse r = Resp(500, R"({"error":{"code":"internal_server_error","message":"x"}})");
  r.headers.Add("X-RateLimit-Limit", "100");
  r.headers.Add("X-RateLimit-Remaining", "99");
  r.headers.Add("X-RateLimit-Reset", std::to_string(kNow / 1000 + 3600));
  Status s = StatusFromResponse(r, "x", kNow);
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_EQ(s.retry_after_ms(), std::nullopt);
}

TEST(HttpErrorsTest, AnthropicOverloadedIsRetryableWithItsRetryAfter) {
  HttpResponse r = Resp(529, R"({"type":"error","error":{"type":"overloaded_error",
      "message":"Overloaded"},"request_id":"req_011CXYZabc"})");
  r.headers.Add("request-id", "req_011CXYZabc");
  Status plain = StatusFromResponse(r, "x", kNow);
  EXPECT_EQ(plain.code(), Code::kUnavailable);
  EXPECT_EQ(plain.retry_after_ms(), std::nullopt);
  EXPECT_NE(plain.message().find("Overloaded"), std::string::npos);
  r.headers.Add("retry-after", "4");
  EXPECT_EQ(StatusFromResponse(r, "x", kNow).retry_after_ms(), 4000);
}

TEST(HttpErrorsTest, AnthropicBucketsWithRequestsLeftAreNoWait) {
  HttpResponse r = Resp(529);
  r.headers.Add("anthropic-ratelimit-requests-limit", "1000");
  r.headers.Add("anthropic-ratelimit-requests-remaining", "999");
  r.headers.Add("anthropic-ratelimit-requests-reset", "2026-01-01T00:00:59Z");
  r.headers.Add("anthropic-ratelimit-input-tokens-limit", "80000");
  r.headers.Add("anthropic-ratelimit-input-tokens-remaining", "79000");
  r.headers.Add("anthropic-ratelimit-input-tokens-reset", "2026-01-01T00:00:30Z");
  EXPECT_EQ(StatusFromResponse(r, "x", kNow).retry_after_ms(), std::nullopt);
}

TEST(HttpErrorsTest, AnthropicRateLimitWithRetryAfterMsAndShouldRetry) {
  HttpResponse r = Resp(429, R"({"type":"error","error":{"type":"rate_limit_error",
      "message":"Number of request tokens has exceeded your per-minute rate limit"}})");
  r.headers.Add("retry-after", "2");
  r.headers.Add("retry-after-ms", "1500.5");
  r.headers.Add("x-should-retry", "true");
  Status s = StatusFromResponse(r, "x", kNow);
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_EQ(s.retry_after_ms(), 1500);
}

}  // namespace
}  // namespace slipway::activities
