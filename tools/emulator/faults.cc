#include "tools/emulator/faults.h"

#include <fnmatch.h>

#include <nlohmann/json.hpp>

namespace slipway::emulator {

namespace {

FaultRule ParseRule(const nlohmann::json& j) {
  FaultRule r;
  r.method = j.value("method", "");
  r.path = j.value("path", "*");
  r.status = j.value("status", 0);
  r.rate = j.value("rate", 1.0);
  r.times = j.value("times", int64_t{-1});
  r.retry_after_s = j.value("retry_after_s", int64_t{-1});
  r.retry_after_ms = j.value("retry_after_ms", int64_t{-1});
  r.rate_limit = j.value("rate_limit", false);
  r.ratelimit_remaining = j.value("ratelimit_remaining", int64_t{-1});
  r.ratelimit_reset_s = j.value("ratelimit_reset_s", int64_t{60});
  r.after_effect = j.value("after_effect", false);
  r.latency_ms = j.value("latency_ms", int64_t{0});
  r.hang_ms = j.value("hang_ms", int64_t{0});
  return r;
}

}  // namespace

std::string FaultDecision::Describe() const {
  if (rule.hang_ms > 0) return "hang";
  if (rule.status != 0) {
    return "status_" + std::to_string(rule.status) + (rule.after_effect ? "_after_effect" : "");
  }
  return "latency";
}

Status Faults::Configure(const std::string& json) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_object()) return InvalidArgument("faults", "faults must be a JSON object");
  std::vector<FaultRule> rules;
  std::set<std::string> failing;
  try {
    for (const auto& r : j.value("rules", nlohmann::json::array())) rules.push_back(ParseRule(r));
    for (const auto& p : j.value("failing_projects", nlohmann::json::array())) {
      failing.insert(p.get<std::string>());
    }
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument("faults", std::string("bad faults field: ") + e.what());
  }
  std::lock_guard<std::mutex> lock(mu_);
  rules_ = std::move(rules);
  fired_.assign(rules_.size(), 0);
  failing_projects_ = std::move(failing);
  rng_.seed(j.value("seed", uint64_t{0}));
  return Status::Ok();
}

void Faults::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  rules_.clear();
  fired_.clear();
  failing_projects_.clear();
}

std::optional<FaultDecision> Faults::Decide(const std::string& method, const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t i = 0; i < rules_.size(); ++i) {
    const FaultRule& r = rules_[i];
    if (!r.method.empty() && r.method != method) continue;
    if (r.method.empty() && method == "SMTP") continue;  // "any method" means any HTTP one
    if (fnmatch(r.path.c_str(), path.c_str(), 0) != 0) continue;
    if (r.times >= 0 && fired_[i] >= r.times) continue;
    if (r.rate < 1.0 && std::uniform_real_distribution<double>(0, 1)(rng_) >= r.rate) continue;
    ++fired_[i];
    return FaultDecision{r};
  }
  return std::nullopt;
}

bool Faults::ProjectFails(const std::string& project_name) const {
  std::lock_guard<std::mutex> lock(mu_);
  return failing_projects_.count(project_name) > 0;
}

}  // namespace slipway::emulator
