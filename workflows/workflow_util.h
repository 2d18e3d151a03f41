// workflows/workflow_util.h: helpers shared by the workflow type definitions: state specs,
// step durations for results, and the input checks every workflow's validate_input shares
// (a value is validated as what it becomes: a git ref, a host name, a bounded integer).
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
// A DNS host name (engine/base/git_names.h): labels of [A-Za-z0-9-], no leading/trailing '-',
// at least one dot, not an IP address.
bool IsHostName(const std::string& name);

// Input checks; each is Ok when `key` is absent and kInvalidArgument naming `key` otherwise.
// A git branch name (or commit sha) by git's ref-name rules (ValidateRefName).
Status CheckOptionalRef(const nlohmann::json& in, const char* key);
// A JSON integer (not a float, not a string) in [lo, hi]; out-of-range huge values included.
Status CheckOptionalInteger(const nlohmann::json& in, const char* key, int64_t lo, int64_t hi);
// A custom domain: a strict host name that is neither base_domain nor under it (those names
// are ours: dev editors live at <tenant>-dev.<base_domain>).
Status CheckOptionalCustomDomain(const nlohmann::json& in, const char* key,
                                 const std::string& base_domain);

}  // namespace slipway::workflows
