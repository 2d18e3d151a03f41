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
      std::vector<std::function<void()>> admitted = AdmitQueued();
      lock.unlock();
      changed_.notify_all();
      for (auto& f : admitted) f();
      return false;
    }
    // Cancellation is a flag, not a notification: look at it now and then.
    changed_.wait_for(lock, std::chrono::milliseconds(50));
  }
  if (suspect) --suspects_waiting_;
  Admit(suspect);
  return true;
}

void AttemptGate::Admit(bool suspect) {
  if (suspect) suspect_running_ = true;
  ++running_;
}

bool AttemptGate::EnterOrQueue(bool suspect, std::function<void()> admitted) {
  std::lock_guard<std::mutex> lock(mu_);
  // Behind those already queued, so that a suspect is not overtaken.
  if (queued_.empty() && MayEnter(suspect)) {
    Admit(suspect);
    return true;
  }
  if (suspect) ++suspects_waiting_;
  queued_.push_back(Queued{suspect, std::move(admitted)});
  return false;
}

std::vector<std::function<void()>> AttemptGate::AdmitQueued() {
  std::vector<std::function<void()>> admitted;
  for (auto it = queued_.begin(); it != queued_.end();) {
    if (it->suspect) --suspects_waiting_;  // MayEnter must not count it against itself
    if (!MayEnter(it->suspect)) {
      if (it->suspect) ++suspects_waiting_;
      ++it;
      continue;
    }
    Admit(it->suspect);
    admitted.push_back(std::move(it->admitted));
    it = queued_.erase(it);
  }
  return admitted;
}

void AttemptGate::Leave(bool suspect) {
  std::vector<std::function<void()>> admitted;
  {
    std::lock_guard<std::mutex> lock(mu_);
    --running_;
    if (suspect) suspect_running_ = false;
    admitted = AdmitQueued();
  }
  changed_.notify_all();
  for (auto& f : admitted) f();
}

bool AttemptGate::suspect_waiting() {
  std::lock_guard<std::mutex> lock(mu_);
  return suspects_waiting_ > 0;
}

}  // namespace slipway::engine
