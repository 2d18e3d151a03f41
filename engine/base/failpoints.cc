#include "engine/base/failpoints.h"

#include <signal.h>
#include <unistd.h>

#include <sstream>

namespace slipway {

Status Failpoints::ArmFromSpec(const std::string& spec) {
  std::stringstream ss(spec);
  std::string item;
  while (std::getline(ss, item, ';')) {
    if (item.empty()) continue;
    auto eq = item.find('=');
    if (eq == std::string::npos) {
      return InvalidArgument("SLIPWAY_FAILPOINTS", "expected name=action, got '" + item + "'");
    }
    SLIPWAY_RETURN_IF_ERROR(Arm(item.substr(0, eq), item.substr(eq + 1)));
  }
  return Status::Ok();
}

Status Failpoints::Arm(const std::string& name, const std::string& action_text) {
  Action a;
  std::string kind = action_text;
  auto star = kind.find('*');
  auto at = kind.find('@');
  try {
    if (star != std::string::npos) {
      a.remaining = std::stoll(kind.substr(star + 1));
      kind = kind.substr(0, star);
    } else if (at != std::string::npos) {
      a.probability = std::stod(kind.substr(at + 1));
      kind = kind.substr(0, at);
    }
  } catch (const std::exception&) {
    return InvalidArgument("failpoint", "bad count or probability in '" + action_text + "'");
  }
  if (kind == "error") {
    a.kind = Action::kError;
  } else if (kind == "kill") {
    a.kind = Action::kKill;
  } else {
    return InvalidArgument("failpoint", "unknown action '" + kind + "' (error|kill)");
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (actions_.emplace(name, a).second) armed_count_++;
  else actions_[name] = a;
  return Status::Ok();
}

void Failpoints::Disarm(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  if (actions_.erase(name) > 0) armed_count_--;
}

void Failpoints::DisarmAll() {
  std::lock_guard<std::mutex> lock(mu_);
  actions_.clear();
  armed_count_ = 0;
}

int64_t Failpoints::Hits(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = actions_.find(name);
  return it == actions_.end() ? 0 : it->second.hits;
}

Status Failpoints::HitSlow(const char* name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = actions_.find(name);
  if (it == actions_.end()) return Status::Ok();
  Action& a = it->second;
  if (a.remaining == 0) return Status::Ok();
  if (a.probability < 1.0 &&
      std::uniform_real_distribution<double>(0.0, 1.0)(rng_) >= a.probability) {
    return Status::Ok();
  }
  a.hits++;
  if (a.remaining > 0) a.remaining--;
  if (a.kind == Action::kKill) {
    ::kill(::getpid(), SIGKILL);
    ::pause();
  }
  return Unavailable(std::string("failpoint ") + name);
}

}  // namespace slipway
