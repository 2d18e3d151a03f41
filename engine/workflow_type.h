// engine/workflow_type.h: what the engine needs to know about one kind of workflow.
//
// workflows/ builds one WorkflowType per business workflow: its MSM table (via make_machine),
// what each state means (run an activity, wait for a signal or timer, or end), its declared
// step order (for the steps view), and its serial group per tenant. The engine never
// knows which activities exist beyond their registered names.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/base/status.h"
#include "engine/machine.h"
#include "engine/retry_policy.h"

namespace slipway::engine {

enum class StateKind {
  kActivity,   // runs `activity`; its outcome is fed back as StepSucceeded / StepFailed
  kWait,       // waits for a Signalled event (and TimerFired after wait_timeout)
  kCompleted,  // final: the workflow completed
  kFailed,     // final: the workflow failed (e.g. after a compensating rollback)
};

struct StateSpec {
  StateKind kind = StateKind::kActivity;
  std::string activity;       // registered activity name (kActivity)
  std::string limit_class;    // global concurrency class, e.g. "build"; "" = the activity name
  // Attempts start outside limit_class (in the activity's own class) and enter it only when
  // the activity asks (NeedsLimit, activity.h): work that is often cheap (a build found in
  // the cache) then takes no slot of the expensive class. The attempt's timeout starts when
  // it runs in the class, not while it waits for a slot.
  bool limit_on_request = false;
  RetryPolicy retry;
  int64_t wait_timeout_ms = 0;         // kWait: fire TimerFired after this (0 = none) ...
  std::string wait_timeout_input_key; // ... or after input[key] seconds when present
  std::string failure_message;         // kFailed: the workflow's error message
};

struct WorkflowType {
  std::string name;
  // Version of this table (>= 1). Several versions of one type may be registered at once: a
  // new instance starts on the newest, and every instance runs on the version it started on
  // (storage::Instance::type_version) until it ends. Bump it whenever a change to the table,
  // its states or its steps would not replay an in-flight instance's history unchanged.
  int version = 1;
  std::vector<std::string> steps;             // declared order of step states, for views
  std::map<std::string, StateSpec> states;    // by persisted state name
  std::function<std::unique_ptr<WorkflowMachine>()> make_machine;
  // Per-tenant serialisation: of all workflows whose types share a non-empty serial_group, at
  // most one per tenant is active, FIFO, whatever their type (deployment and rollback share
  // one). The persisted serial key is "<group>:<tenant>"; "" = not serialised.
  std::string serial_group;
  int64_t deadline_ms = 0;                    // whole workflow; 0 = none
  // Optional input validation: kInvalidArgument naming the field.
  std::function<Status(const nlohmann::json& input)> validate_input;
  // Optional: completes a valid input at start from state outside the request (the deployment
  // adds its tenant's approval policy). Runs after validate_input and after the idempotency
  // hash; what it returns is the input stored, shown and replayed. Errors fail the start.
  std::function<Result<nlohmann::json>(const std::string& tenant, const nlohmann::json& input)>
      prepare_input;
  // Optional: builds the workflow's result from its step outputs (by step name) and its steps
  // view (by step name: status, attempts, started_at, ended_at in ms); default: the outputs.
  std::function<nlohmann::json(const nlohmann::json& outputs, const nlohmann::json& steps)>
      build_result;
};

}  // namespace slipway::engine
