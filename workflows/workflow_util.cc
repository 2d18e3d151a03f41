// workflows/workflow_util.cc: helpers shared by the workflow type definitions.
#include "workflows/workflow_util.h"

#include <cctype>

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

bool IsHostName(const std::string& name) {
  if (name.empty() || name.size() > 253 || name.find('.') == std::string::npos) return false;
  size_t label = 0;
  for (size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      if (label == 0 || label > 63 || name[i - 1] == '-' || name[i - label] == '-') return false;
      label = 0;
      continue;
    }
    unsigned char c = static_cast<unsigned char>(name[i]);
    if (!std::isalnum(c) && c != '-') return false;
    ++label;
  }
  return true;
}

}  // namespace slipway::workflows
