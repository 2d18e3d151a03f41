// engine/machine.h: a workflow's state machine as the engine sees it.
//
// Each workflow type is a Boost.MSM transition table (see msm_machine.h); the engine drives it
// only through this interface, by feeding outcome events. The table is the single source of
// truth for legal transitions: an event the table does not handle in the current state is
// reported (Process returns false) and never silently dropped. Machines are rebuilt after a
// restart by replaying the recorded outcome events through the same table. Not thread-safe:
// the engine clones a machine per transition attempt.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>

namespace slipway::engine {

// Outcome events: past-tense facts. Their persisted names are in the history event types.
struct StepSucceeded {
  std::string step;
  nlohmann::json output;
};
struct StepFailed {
  std::string step;
  nlohmann::json error;  // {"code","message",...}
};
struct Signalled {
  std::string name;      // e.g. "approve", "reject"
  nlohmann::json data;
};
struct TimerFired {
  std::string purpose;   // e.g. "wait_timeout"
};
struct Resumed {};

using MachineEvent = std::variant<StepSucceeded, StepFailed, Signalled, TimerFired, Resumed>;

class WorkflowMachine {
 public:
  virtual ~WorkflowMachine() = default;
  virtual std::unique_ptr<WorkflowMachine> Clone() const = 0;
  // Enters the initial state. The workflow's input is given to the table (guards may route on
  // it, e.g. require_approval); replay passes the same input, so routing stays deterministic.
  virtual void Start(const nlohmann::json& input) = 0;
  // The stable name of the current state.
  virtual const std::string& state() const = 0;
  // Feeds one event. True iff the table has a transition for it in the current state (and a
  // guard let it through); false leaves the state unchanged.
  virtual bool Process(const MachineEvent& event) = 0;
};

}  // namespace slipway::engine
