// workflows/workflow_util.cc: helpers shared by the workflow type definitions.
#include "workflows/workflow_util.h"

#include <cctype>

#include "engine/base/git_names.h"

namespace slipway::workflows {

using nlohmann::json;

engine::StateSpec ActivityState(const std::string& activity, const engine::RetryPolicy& retry,
                                const std::string& limit_class) {
  engine::StateSpec s;
  s.kind = engine::StateKind::kActivity;
  s.activity = activity;
  s.limit_class = limit_class;
  s.retry = retry;
  return s;
}

engine::StateSpec WaitState(int64_t timeout_ms, const std::string& timeout_input_key) {
  engine::StateSpec s;
  s.kind = engine::StateKind::kWait;
  s.wait_timeout_ms = timeout_ms;
  s.wait_timeout_input_key = timeout_input_key;
  return s;
}

engine::StateSpec FinalState(engine::StateKind kind, const std::string& message) {
  engine::StateSpec s;
  s.kind = kind;
  s.failure_message = message;
  return s;
}

json StepDurations(const json& steps) {
  json out = json::object();
  if (!steps.is_object()) return out;
  for (auto it = steps.begin(); it != steps.end(); ++it) {
    const json& s = it.value();
    auto a = s.find("started_at");
    auto b = s.find("ended_at");
    if (a != s.end() && b != s.end() && a->is_number() && b->is_number()) {
      out[it.key()] = b->get<int64_t>() - a->get<int64_t>();
    }
  }
  return out;
}

bool IsHostName(const std::string& name) { return slipway::IsHostName(name); }

Status CheckOptionalRef(const json& in, const char* key) {
  auto it = in.find(key);
  if (it == in.end()) return Status::Ok();
  if (!it->is_string()) return InvalidArgument(key, "must be a git branch name or commit sha");
  return ValidateRefName(it->get<std::string>(), key);
}

Status CheckOptionalInteger(const json& in, const char* key, int64_t lo, int64_t hi) {
  auto it = in.find(key);
  if (it == in.end()) return Status::Ok();
  bool in_range = false;
  if (it->is_number_unsigned()) {
    uint64_t v = it->get<uint64_t>();
    in_range = hi >= 0 && v <= static_cast<uint64_t>(hi) && static_cast<int64_t>(v) >= lo;
  } else if (it->is_number_integer()) {
    int64_t v = it->get<int64_t>();
    in_range = v >= lo && v <= hi;
  }
  if (in_range) return Status::Ok();
  return InvalidArgument(key, std::string("must be an integer from ") + std::to_string(lo) +
                                  " to " + std::to_string(hi));
}

Status CheckOptionalCustomDomain(const json& in, const char* key, const std::string& base_domain) {
  auto it = in.find(key);
  if (it == in.end()) return Status::Ok();
  if (!it->is_string() || !IsHostName(it->get<std::string>())) {
    return InvalidArgument(key, "must be a host name such as www.example.com");
  }
  if (IsUnderDomain(it->get<std::string>(), base_domain)) {
    return InvalidArgument(key, "names under " + base_domain +
                                    " are reserved for Slipway's own sites");
  }
  return Status::Ok();
}

}  // namespace slipway::workflows
