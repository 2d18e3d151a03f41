// workflows/workflow_util.h: helpers shared by the workflow type definitions: state specs,
// step durations for results, host-name checks.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "engine/workflow_type.h"

namespace slipway::workflows {

engine::StateSpec ActivityState(const std::string& activity, const engine::RetryPolicy& retry,
                                const std::string& limit_class = "");
// A wait for a signal, with TimerFired after timeout_ms (0: none) or input[timeout_input_key] s.
engine::StateSpec WaitState(int64_t timeout_ms, const std::string& timeout_input_key);
engine::StateSpec FinalState(engine::StateKind kind, const std::string& message = "");
// {step: ended_at - started_at} in ms, for the steps (engine context form) that have both.
nlohmann::json StepDurations(const nlohmann::json& steps);
// A DNS host name: labels of [a-z0-9-] (any case), no leading/trailing '-', at least one dot.
bool IsHostName(const std::string& name);

}  // namespace slipway::workflows
