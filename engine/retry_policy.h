// engine/retry_policy.h: when an activity attempt that failed is tried again.
//
// Full-jitter exponential back-off: the n-th retry waits a uniform random time in
// [0, min(max_interval, initial_interval * coefficient^(n-1))]. A retry_after carried by the
// error (Retry-After, rate-limit reset) wins over the computed back-off. No retry when the code
// is non-retryable, the attempt budget is spent, or the next attempt would start after the
// step's overall deadline. Pure functions: the random source is passed in.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <set>

#include "engine/base/clock.h"
#include "engine/base/status.h"

namespace slipway::engine {

struct RetryPolicy {
  int64_t initial_interval_ms = 1000;
  double backoff_coefficient = 2.0;
  int64_t max_interval_ms = 60'000;
  int max_attempts = 5;                 // 0 = unlimited
  int64_t attempt_timeout_ms = 60'000;  // per attempt; 0 = none
  int64_t deadline_ms = 0;              // whole step, from its first attempt; 0 = none
  bool jitter = true;                   // full jitter
  // Codes that never retry: bad input and 401/403/404/422-class errors.
  std::set<Code> non_retryable = {Code::kInvalidArgument,   Code::kPermanent,
                                  Code::kNotFound,          Code::kPermissionDenied,
                                  Code::kUnauthenticated,   Code::kFailedPrecondition,
                                  Code::kCancelled,         Code::kCorruption,
                                  Code::kResourceExhausted};
};

// The cap on the wait before retry number `retry` (1 = first retry), before jitter.
int64_t BackoffCeilingMs(const RetryPolicy& p, int retry);

struct RetryDecision {
  bool retry = false;
  TimeMs next_attempt_at_ms = 0;
  const char* reason = "";  // why not, when retry is false
};

// Decides after attempt number `attempts_done` (1-based, counted within the current budget)
// failed with `error` at `now`. `first_attempt_at` starts the step's overall deadline.
RetryDecision DecideRetry(const RetryPolicy& p, const Status& error, int attempts_done,
                          TimeMs now, TimeMs first_attempt_at, std::mt19937_64& rng);

}  // namespace slipway::engine
