#include "engine/attempt_gate.h"

#include <chrono>

namespace slipway::engine {

bool AttemptGate::MayEnter(bool suspect) const {
  if (suspect_running_) return false;
  return suspect ? running_ == 0 : suspects_waiting_ == 0;
}

bool AttemptGate::Enter(bool suspect, const std::function<bool()>& cancelled) {
  std::unique_lock<std::mutex> lock(mu_);
  if (suspect) ++suspects_waiting_;
  while (!MayEnter(suspect)) {
    if (cancelled()) {
      if (suspect) --suspects_waiting_;
      changed_.notify_all();
      return false;
    }
    // Cancellation is a flag, not a notification: look at it now and then.
    changed_.wait_for(lock, std::chrono::milliseconds(50));
  }
  if (suspect) {
    --suspects_waiting_;
    suspect_running_ = true;
  }
  ++running_;
  return true;
}

void AttemptGate::Leave(bool suspect) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    --running_;
    if (suspect) suspect_running_ = false;
  }
  changed_.notify_all();
}

bool AttemptGate::suspect_waiting() {
  std::lock_guard<std::mutex> lock(mu_);
  return suspects_waiting_ > 0;
}

}  // namespace slipway::engine
