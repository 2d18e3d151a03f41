// tools/emulator/faults.h: injected failures, configured by JSON (--faults or POST /_admin/faults).
//
//   {"seed": 7,
//    "rules": [{"method": "POST", "path": "/repos/*/generate",   // fnmatch glob on the path
//               "status": 503,            // answer with this error (family-shaped body)
//               "rate": 0.5,              // probability per matching request (default 1)
//               "times": 2,               // fire at most this many times (default unlimited)
//               "retry_after_s": 3,       // Retry-After header (seconds)
//               "retry_after_ms": 250,    // retry-after-ms header
//               "rate_limit": true,       // the family's limit headers with remaining 0
//               "ratelimit_remaining": 4999, // the same headers with this many left (a plain
//                                         //   5xx as real GitHub sends it: reset far away)
//               "ratelimit_reset_s": 60,  //   reset = now + this
//               "after_effect": true,     // the route runs first (its effect lands and is
//                                         //   logged), then the answer is this error
//               "latency_ms": 50,         // delay before answering (the route still runs)
//               "hang_ms": 30000}],       // hold the request, then answer 504 without effect
//    "failing_projects": ["tenant-foo"]}  // Vercel deployments of these projects end in ERROR
//
// Without rate_limit / ratelimit_remaining an error carries no rate-limit headers. Limit
// headers per family: GitHub x-ratelimit-{limit,remaining,used,reset,resource} (reset in epoch
// s), Vercel X-RateLimit-{Limit,Remaining,Reset} (a 429 also gets error.limit in its body),
// Anthropic anthropic-ratelimit-requests-{limit,remaining,reset} (RFC 3339).
// SMTP: rules whose method is "SMTP" (and only those) apply to the sink's DATA command: a
// 4xx/5xx status is the reply to DATA (nothing delivered); with after_effect the message is
// delivered, then the connection closes before the final 250 (the sender cannot know).
//
// Rules are tried in order; the first that fires decides. The RNG is seeded, so a run with the
// same seed and request order injects the same faults. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "engine/base/status.h"

namespace slipway::emulator {

struct FaultRule {
  std::string method;  // empty: any
  std::string path = "*";
  int status = 0;  // 0: no error answer (latency only)
  double rate = 1.0;
  int64_t times = -1;  // -1: unlimited
  int64_t retry_after_s = -1;
  int64_t retry_after_ms = -1;
  bool rate_limit = false;
  int64_t ratelimit_remaining = -1;  // -1: no limit headers (unless rate_limit)
  int64_t ratelimit_reset_s = 60;
  bool after_effect = false;
  int64_t latency_ms = 0;
  int64_t hang_ms = 0;
};

struct FaultDecision {
  FaultRule rule;  // the rule that fired
  std::string Describe() const;
};

class Faults {
 public:
  // Replaces the whole configuration. Errors: kInvalidArgument for bad JSON or fields.
  Status Configure(const std::string& json);
  void Clear();
  std::optional<FaultDecision> Decide(const std::string& method, const std::string& path);
  bool ProjectFails(const std::string& project_name) const;

 private:
  mutable std::mutex mu_;
  std::vector<FaultRule> rules_;
  std::vector<int64_t> fired_;
  std::set<std::string> failing_projects_;
  std::mt19937_64 rng_{0};
};

}  // namespace slipway::emulator
