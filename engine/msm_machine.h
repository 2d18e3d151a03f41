// engine/msm_machine.h: the glue between Boost.MSM transition tables and WorkflowMachine.
//
// A workflow type writes its table with MSM's functor front-end:
//
//   struct DeployFront : WorkflowFront<DeployFront> {
//     struct Validating : NamedState<Validating> { static constexpr const char* kName = "validate"; };
//     ...
//     using initial_state = Saving;
//     struct transition_table : boost::mpl::vector<
//       Row<Validating, StepSucceeded, Deploying, none, Passed>, ...> {};
//   };
//   std::unique_ptr<WorkflowMachine> m = MakeMsmMachine<DeployFront>();
//
// Each state carries its persisted name (kName); entering it records the name in the machine.
// WorkflowFront overrides no_transition and exception_caught (whose defaults are BOOST_ASSERT,
// gone under NDEBUG) so that an unexpected event becomes a reported rejection.
// Guards and actions must be pure: no I/O, no throwing.
#pragma once

#include <boost/msm/back/state_machine.hpp>
#include <boost/msm/front/functor_row.hpp>
#include <boost/msm/front/state_machine_def.hpp>
#include <memory>
#include <string>

#include "engine/machine.h"

namespace slipway::engine {

template <class Derived>
struct WorkflowFront : boost::msm::front::state_machine_def<Derived> {
  nlohmann::json input;  // the workflow's input, for guards
  std::string state_name;
  bool rejected = false;

  template <class Fsm, class Event>
  void no_transition(Event const&, Fsm&, int) {
    rejected = true;
  }
  template <class Fsm, class Event>
  void exception_caught(Event const&, Fsm&, std::exception&) {
    rejected = true;
  }
};

// A state that records its persisted name when entered.
template <class Derived>
struct NamedState : boost::msm::front::state<> {
  template <class Event, class Fsm>
  void on_entry(Event const&, Fsm& fsm) {
    fsm.state_name = Derived::kName;
  }
};

// Guard: a Signalled event with the name given by Name::kSignal.
template <class Name>
struct SignalIs {
  template <class Fsm, class Source, class Target>
  bool operator()(Signalled const& e, Fsm&, Source&, Target&) const {
    return e.name == Name::kSignal;
  }
};

template <class Front>
class MsmMachine final : public WorkflowMachine {
 public:
  std::unique_ptr<WorkflowMachine> Clone() const override {
    return std::make_unique<MsmMachine>(*this);
  }
  void Start(const nlohmann::json& input) override {
    sm_.input = input;
    sm_.start();
  }
  const std::string& state() const override { return sm_.state_name; }
  bool Process(const MachineEvent& event) override {
    sm_.rejected = false;
    auto handled = std::visit([this](const auto& e) { return sm_.process_event(e); }, event);
    return handled == boost::msm::back::HANDLED_TRUE && !sm_.rejected;
  }

 private:
  boost::msm::back::state_machine<Front> sm_;
};

template <class Front>
std::unique_ptr<WorkflowMachine> MakeMsmMachine() {
  return std::make_unique<MsmMachine<Front>>();
}

}  // namespace slipway::engine
