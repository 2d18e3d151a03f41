// engine/base/failpoints.h: named spots at durable boundaries that a test can make fail.
//
// Code calls failpoints.Hit("store.commit.before") on an injected Failpoints. Nothing armed:
// Hit() is one relaxed atomic load. A test (or SLIPWAY_FAILPOINTS in a real process) arms a
// name with an action:
//   error        Hit returns kUnavailable (a transient failure at that spot)
//   kill         the process SIGKILLs itself at that line (crash tests)
//   kill@P       kill with probability P in [0,1] per hit (random crash points)
//   error*N      only the first N hits fail
// SLIPWAY_FAILPOINTS="name=action;name2=action" arms from the environment. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <random>
#include <string>

#include "engine/base/status.h"

namespace slipway {

class Failpoints {
 public:
  Failpoints() = default;
  // Arms every "name=action" pair of spec (separated by ';'). Bad specs give kInvalidArgument.
  Status ArmFromSpec(const std::string& spec);
  Status Arm(const std::string& name, const std::string& action);
  void Disarm(const std::string& name);
  void DisarmAll();
  // Ok unless `name` is armed; then performs its action.
  Status Hit(const char* name) {
    if (armed_count_.load(std::memory_order_relaxed) == 0) return Status::Ok();
    return HitSlow(name);
  }
  // How often `name` was hit while armed.
  int64_t Hits(const std::string& name);

 private:
  struct Action {
    enum Kind { kError, kKill } kind = kError;
    double probability = 1.0;
    int64_t remaining = -1;  // -1 = unlimited
    int64_t hits = 0;
  };
  Status HitSlow(const char* name);

  std::atomic<int> armed_count_{0};
  std::mutex mu_;
  std::map<std::string, Action> actions_;
  std::mt19937_64 rng_{std::random_device{}()};
};

}  // namespace slipway
