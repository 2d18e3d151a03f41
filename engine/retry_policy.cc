// engine/retry_policy.cc: the retry decision (see the header). A remote's retry_after is
// capped at max_interval_ms; steps that talk to flaky clouds use deadline_ms (the step's
// maximum elapsed time, tens of minutes) with max_attempts 0 rather than a small count.
#include "engine/retry_policy.h"

#include <algorithm>
#include <cmath>

namespace slipway::engine {

int64_t BackoffCeilingMs(const RetryPolicy& p, int retry) {
  double ceiling = static_cast<double>(p.initial_interval_ms) *
                   std::pow(p.backoff_coefficient, std::max(0, retry - 1));
  if (ceiling > static_cast<double>(p.max_interval_ms)) return p.max_interval_ms;
  return static_cast<int64_t>(ceiling);
}

RetryDecision DecideRetry(const RetryPolicy& p, const Status& error, int attempts_done,
                          TimeMs now, TimeMs first_attempt_at, std::mt19937_64& rng) {
  RetryDecision d;
  if (p.non_retryable.count(error.code()) > 0) {
    d.reason = "non_retryable_error";
    return d;
  }
  if (p.max_attempts > 0 && attempts_done >= p.max_attempts) {
    d.reason = "attempts_exhausted";
    return d;
  }
  int64_t wait = 0;
  if (error.retry_after_ms()) {
    // The remote's wait wins over back-off, but a huge one (a bogus Retry-After, a reset an
    // hour away) must not park the step past what the policy allows between attempts.
    wait = std::clamp<int64_t>(*error.retry_after_ms(), 0, p.max_interval_ms);
  } else {
    int64_t ceiling = BackoffCeilingMs(p, attempts_done);
    wait = p.jitter ? std::uniform_int_distribution<int64_t>(0, ceiling)(rng) : ceiling;
  }
  TimeMs next = now + wait;
  if (p.deadline_ms > 0 && next >= first_attempt_at + p.deadline_ms) {
    d.reason = "deadline_exceeded";
    return d;
  }
  d.retry = true;
  d.next_attempt_at_ms = next;
  return d;
}

}  // namespace slipway::engine
