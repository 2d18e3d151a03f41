// tools/emulator/faults.h: injected failures, configured by JSON (--faults or POST /_admin/faults).
//
//   {"seed": 7,
//    "rules": [{"method": "POST", "path": "/repos/*/generate",   // fnmatch glob on the path
//               "status": 503,            // answer with this error (family-shaped body)
//               "rate": 0.5,              // probability per matching request (default 1)
//               "times": 2,               // fire at most this many times (default unlimited)
//               "retry_after_s": 3,       // Retry-After header (seconds)
//               "retry_after_ms": 250,    // retry-after-ms header
//               "rate_limit": true,       // GitHub: x-ratelimit-remaining 0 + reset
//               "ratelimit_reset_s": 60,  //   reset = now + this
//               "latency_ms": 50,         // delay before answering (the route still runs)
//               "hang_ms": 30000}],       // hold the request, then answer 504 without effect
//    "failing_projects": ["tenant-foo"]}  // Vercel deployments of these projects end in ERROR
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
  int64_t ratelimit_reset_s = 60;
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
