// engine/testing/recording_activity.h: a fake activity for engine tests.
//
// Each call is recorded (workflow, step, attempt, idempotency key, time). Outcomes are
// scripted per step and consumed in order; with no script left a call succeeds with
// {"passed": true}. An optional hook runs inside Run (e.g. to block or to act concurrently).
// Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/activity.h"
#include "engine/base/clock.h"

namespace slipway::engine::testing {

class RecordingActivity : public Activity {
 public:
  struct Call {
    std::string workflow_id;
    std::string step;
    int attempt;
    std::string idempotency_key;
    TimeMs at_ms;
  };

  explicit RecordingActivity(Clock& clock) : clock_(clock) {}
  void Script(const std::string& step, std::vector<Result<nlohmann::json>> outcomes);
  void SetHook(std::function<void(const ActivityCall&)> hook);
  Result<nlohmann::json> Run(const ActivityCall& call) override;

  std::vector<Call> calls();
  int attempts(const std::string& step);

 private:
  Clock& clock_;
  std::mutex mu_;
  std::map<std::string, std::vector<Result<nlohmann::json>>> script_;
  std::vector<Call> calls_;
  std::function<void(const ActivityCall&)> hook_;
};

}  // namespace slipway::engine::testing
