// workflows/deps.cc: default retry policies of the workflow steps (DESIGN.md "Retries").
//
// Steps that talk to GitHub and Vercel are bounded by a deadline, not by a small count: under a
// flaky cloud each attempt makes several calls and may fail on any of them, and the calls that
// are safe to repeat are already repeated inside the client (activities/retrying_http_client.h).
// A remote's Retry-After or rate-limit reset is capped at max_interval_ms.
#include "workflows/deps.h"

namespace slipway::workflows {

namespace {
constexpr int64_t kMinute = 60'000;

engine::RetryPolicy Policy(int64_t initial_ms, int max_attempts, int64_t attempt_timeout_ms) {
  engine::RetryPolicy p;
  p.initial_interval_ms = initial_ms;
  p.max_attempts = max_attempts;
  p.attempt_timeout_ms = attempt_timeout_ms;
  return p;
}

// Unlimited attempts until `deadline_ms` after the step's first one; back-off up to 2 minutes.
engine::RetryPolicy UntilDeadline(int64_t initial_ms, int64_t deadline_ms,
                                  int64_t attempt_timeout_ms) {
  engine::RetryPolicy p = Policy(initial_ms, 0, attempt_timeout_ms);
  p.max_interval_ms = 2 * kMinute;
  p.deadline_ms = deadline_ms;
  return p;
}
}  // namespace

RetryPolicies::RetryPolicies()
    : github(UntilDeadline(1000, 30 * kMinute, 3 * kMinute)),
      vercel(UntilDeadline(1000, 30 * kMinute, 3 * kMinute)),
      deploy(UntilDeadline(5000, 60 * kMinute, 20 * kMinute)),
      // The build's own step timeouts (install 10, typecheck 3, lint 3, build 5 min) decide
      // first: a check that hangs is a permanent error, an install that hangs is retried.
      build(Policy(5000, 3, 25 * kMinute)),
      llm(Policy(2000, 10, 30'000)),
      verify(Policy(5000, 3, 5 * kMinute)),
      notify(UntilDeadline(5000, 30 * kMinute, kMinute)),
      local(Policy(200, 10, 10'000)) {
  llm.deadline_ms = 20 * kMinute;  // paid calls: bounded by count and by time
}

}  // namespace slipway::workflows
