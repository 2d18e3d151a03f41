#include "engine/retry_policy.h"

#include <gtest/gtest.h>

namespace slipway::engine {
namespace {

RetryPolicy Policy() {
  RetryPolicy p;
  p.initial_interval_ms = 1000;
  p.backoff_coefficient = 2.0;
  p.max_interval_ms = 8000;
  p.max_attempts = 10;
  p.jitter = false;
  return p;
}

TEST(RetryPolicyTest, BackoffGrowsByTheCoefficientAndCaps) {
  RetryPolicy p = Policy();
  EXPECT_EQ(BackoffCeilingMs(p, 1), 1000);
  EXPECT_EQ(BackoffCeilingMs(p, 2), 2000);
  EXPECT_EQ(BackoffCeilingMs(p, 3), 4000);
  EXPECT_EQ(BackoffCeilingMs(p, 4), 8000);
  EXPECT_EQ(BackoffCeilingMs(p, 9), 8000);
}

TEST(RetryPolicyTest, WithoutJitterTheWaitIsTheCeiling) {
  std::mt19937_64 rng(1);
  RetryDecision d = DecideRetry(Policy(), Unavailable("503"), 2, 10'000, 0, rng);
  ASSERT_TRUE(d.retry);
  EXPECT_EQ(d.next_attempt_at_ms, 12'000);
}

TEST(RetryPolicyTest, FullJitterStaysWithinZeroAndTheCeiling) {
  RetryPolicy p = Policy();
  p.jitter = true;
  std::mt19937_64 rng(7);
  int64_t lo = INT64_MAX, hi = 0;
  for (int i = 0; i < 2000; ++i) {
    RetryDecision d = DecideRetry(p, Unavailable("x"), 3, 0, 0, rng);
    ASSERT_TRUE(d.retry);
    lo = std::min(lo, d.next_attempt_at_ms);
    hi = std::max(hi, d.next_attempt_at_ms);
  }
  EXPECT_GE(lo, 0);
  EXPECT_LE(hi, 4000);
  EXPECT_LT(lo, 400);   // spread over the whole range, not clustered at the top
  EXPECT_GT(hi, 3600);
}

TEST(RetryPolicyTest, RetryAfterHeaderBeatsBackoff) {
  std::mt19937_64 rng(1);
  Status rate_limited = Unavailable("429");
  rate_limited.WithRetryAfter(6'000);
  RetryDecision d = DecideRetry(Policy(), rate_limited, 1, 5'000, 0, rng);
  ASSERT_TRUE(d.retry);
  EXPECT_EQ(d.next_attempt_at_ms, 11'000);  // not the 1 s back-off
}

TEST(RetryPolicyTest, RetryAfterIsCappedByTheMaximumInterval) {
  std::mt19937_64 rng(1);
  Status rate_limited = Unavailable("503");
  rate_limited.WithRetryAfter(3'600'000);  // an hourly reset, or a bogus Retry-After
  RetryDecision d = DecideRetry(Policy(), rate_limited, 1, 5'000, 0, rng);
  ASSERT_TRUE(d.retry);
  EXPECT_EQ(d.next_attempt_at_ms, 13'000);  // max_interval_ms 8 s
}

TEST(RetryPolicyTest, DeadlineBoundsUnlimitedAttempts) {
  std::mt19937_64 rng(1);
  RetryPolicy p = Policy();
  p.max_attempts = 0;
  p.deadline_ms = 30 * 60'000;
  EXPECT_TRUE(DecideRetry(p, Unavailable("x"), 500, 29 * 60'000, 0, rng).retry);
  RetryDecision d = DecideRetry(p, Unavailable("x"), 501, 30 * 60'000 - 1000, 0, rng);
  EXPECT_FALSE(d.retry);  // the next attempt would start after the deadline
  EXPECT_STREQ(d.reason, "deadline_exceeded");
}

TEST(RetryPolicyTest, NonRetryableErrorsNeverRetry) {
  std::mt19937_64 rng(1);
  for (Status s : {Permanent("404"), InvalidArgument("f", "422"), NotFound("x")}) {
    RetryDecision d = DecideRetry(Policy(), s, 1, 0, 0, rng);
    EXPECT_FALSE(d.retry) << s.ToString();
    EXPECT_STREQ(d.reason, "non_retryable_error");
  }
}

TEST(RetryPolicyTest, StopsWhenAttemptsAreSpent) {
  std::mt19937_64 rng(1);
  RetryPolicy p = Policy();
  p.max_attempts = 3;
  EXPECT_TRUE(DecideRetry(p, Unavailable("x"), 2, 0, 0, rng).retry);
  RetryDecision d = DecideRetry(p, Unavailable("x"), 3, 0, 0, rng);
  EXPECT_FALSE(d.retry);
  EXPECT_STREQ(d.reason, "attempts_exhausted");
}

TEST(RetryPolicyTest, UnlimitedAttemptsWhenMaxIsZero) {
  std::mt19937_64 rng(1);
  RetryPolicy p = Policy();
  p.max_attempts = 0;
  EXPECT_TRUE(DecideRetry(p, Unavailable("x"), 1000, 0, 0, rng).retry);
}

TEST(RetryPolicyTest, OverallDeadlineStopsRetries) {
  std::mt19937_64 rng(1);
  RetryPolicy p = Policy();
  p.deadline_ms = 10'000;
  EXPECT_TRUE(DecideRetry(p, Unavailable("x"), 1, 5'000, 0, rng).retry);  // next at 6 s
  RetryDecision d = DecideRetry(p, Unavailable("x"), 1, 9'500, 0, rng);    // next at 10.5 s
  EXPECT_FALSE(d.retry);
  EXPECT_STREQ(d.reason, "deadline_exceeded");
}

}  // namespace
}  // namespace slipway::engine
