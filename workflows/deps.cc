// workflows/deps.cc: default retry policies of the workflow steps (DESIGN.md "Retries").
#include "workflows/deps.h"

namespace slipway::workflows {

namespace {
engine::RetryPolicy Policy(int64_t initial_ms, int max_attempts, int64_t attempt_timeout_ms) {
  engine::RetryPolicy p;
  p.initial_interval_ms = initial_ms;
  p.max_attempts = max_attempts;
  p.attempt_timeout_ms = attempt_timeout_ms;
  return p;
}
}  // namespace

RetryPolicies::RetryPolicies()
    : github(Policy(1000, 8, 60'000)),
      vercel(Policy(1000, 8, 60'000)),
      deploy(Policy(5000, 3, 20 * 60'000)),
      build(Policy(5000, 3, 5 * 60'000)),
      llm(Policy(2000, 5, 30'000)),
      verify(Policy(5000, 3, 5 * 60'000)),
      notify(Policy(5000, 8, 60'000)),
      local(Policy(200, 10, 10'000)) {}

}  // namespace slipway::workflows
