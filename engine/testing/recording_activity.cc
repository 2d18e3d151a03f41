#include "engine/testing/recording_activity.h"

namespace slipway::engine::testing {

void RecordingActivity::Script(const std::string& step,
                               std::vector<Result<nlohmann::json>> outcomes) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& q = script_[step];
  for (auto& o : outcomes) q.push_back(std::move(o));
}

void RecordingActivity::SetHook(std::function<void(const ActivityCall&)> hook) {
  std::lock_guard<std::mutex> lock(mu_);
  hook_ = std::move(hook);
}

Result<nlohmann::json> RecordingActivity::Run(const ActivityCall& call) {
  std::function<void(const ActivityCall&)> hook;
  {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back({call.workflow_id, call.step, call.attempt, call.idempotency_key,
                      clock_.NowMs()});
    hook = hook_;
  }
  if (hook) hook(call);
  if (call.cancelled()) return Cancelled("activity saw cancellation");
  std::lock_guard<std::mutex> lock(mu_);
  auto& q = script_[call.step];
  if (q.empty()) return nlohmann::json{{"passed", true}};
  Result<nlohmann::json> r = q.front();
  q.erase(q.begin());
  return r;
}

std::vector<RecordingActivity::Call> RecordingActivity::calls() {
  std::lock_guard<std::mutex> lock(mu_);
  return calls_;
}

int RecordingActivity::attempts(const std::string& step) {
  std::lock_guard<std::mutex> lock(mu_);
  int n = 0;
  for (const auto& c : calls_) n += c.step == step ? 1 : 0;
  return n;
}

}  // namespace slipway::engine::testing
