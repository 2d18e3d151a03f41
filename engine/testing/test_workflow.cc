#include "engine/testing/test_workflow.h"

#include <boost/mpl/vector/vector30.hpp>

#include "engine/msm_machine.h"

namespace slipway::engine::testing {

namespace mpl = boost::mpl;
using boost::msm::front::none;
using boost::msm::front::Row;

namespace {

struct SevenFront : WorkflowFront<SevenFront> {
  struct S1 : NamedState<S1> { static constexpr const char* kName = "s1"; };
  struct S2 : NamedState<S2> { static constexpr const char* kName = "s2"; };
  struct S3 : NamedState<S3> { static constexpr const char* kName = "s3"; };
  struct S4 : NamedState<S4> { static constexpr const char* kName = "s4"; };
  struct S5 : NamedState<S5> { static constexpr const char* kName = "s5"; };
  struct S6 : NamedState<S6> { static constexpr const char* kName = "s6"; };
  struct S7 : NamedState<S7> { static constexpr const char* kName = "s7"; };
  struct Done : NamedState<Done> { static constexpr const char* kName = "done"; };
  using initial_state = S1;
  struct transition_table
      : mpl::vector<Row<S1, StepSucceeded, S2>, Row<S2, StepSucceeded, S3>,
                    Row<S3, StepSucceeded, S4>, Row<S4, StepSucceeded, S5>,
                    Row<S5, StepSucceeded, S6>, Row<S6, StepSucceeded, S7>,
                    Row<S7, StepSucceeded, Done>> {};
};

// Guards of the routed table. They read only the step's recorded output.
struct Passed {
  template <class Fsm, class S, class T>
  bool operator()(StepSucceeded const& e, Fsm&, S&, T&) const {
    return e.output.value("passed", true);
  }
};
struct NotPassed {
  template <class Fsm, class S, class T>
  bool operator()(StepSucceeded const& e, Fsm& f, S& s, T& t) const {
    return !Passed()(e, f, s, t);
  }
};
struct RoundsLeft {
  template <class Fsm, class S, class T>
  bool operator()(StepSucceeded const& e, Fsm& f, S& s, T& t) const {
    return NotPassed()(e, f, s, t) && f.fix_rounds < 2;
  }
};
struct NoRoundsLeft {
  template <class Fsm, class S, class T>
  bool operator()(StepSucceeded const& e, Fsm& f, S& s, T& t) const {
    return NotPassed()(e, f, s, t) && f.fix_rounds >= 2;
  }
};
struct CountRound {
  template <class Event, class Fsm, class S, class T>
  void operator()(Event const&, Fsm& f, S&, T&) const { ++f.fix_rounds; }
};
struct Approve { static constexpr const char* kSignal = "approve"; };
struct Reject { static constexpr const char* kSignal = "reject"; };

struct RoutedFront : WorkflowFront<RoutedFront> {
  int fix_rounds = 0;
  struct Build : NamedState<Build> { static constexpr const char* kName = "build"; };
  struct Fix : NamedState<Fix> { static constexpr const char* kName = "fix"; };
  struct Rebuild : NamedState<Rebuild> { static constexpr const char* kName = "rebuild"; };
  struct Publish : NamedState<Publish> { static constexpr const char* kName = "publish"; };
  struct Approval : NamedState<Approval> { static constexpr const char* kName = "approval"; };
  struct Check : NamedState<Check> { static constexpr const char* kName = "check"; };
  struct Undo : NamedState<Undo> { static constexpr const char* kName = "undo"; };
  struct Done : NamedState<Done> { static constexpr const char* kName = "done"; };
  struct RolledBack : NamedState<RolledBack> { static constexpr const char* kName = "rolled_back"; };
  struct Rejected : NamedState<Rejected> { static constexpr const char* kName = "rejected"; };
  struct BuildFailed : NamedState<BuildFailed> { static constexpr const char* kName = "build_failed"; };
  using initial_state = Build;
  struct transition_table
      : mpl::vector17<
            Row<Build, StepSucceeded, Publish, none, Passed>,
            Row<Build, StepSucceeded, Fix, CountRound, NotPassed>,
            Row<Fix, StepSucceeded, Rebuild>,
            Row<Rebuild, StepSucceeded, Publish, none, Passed>,
            Row<Rebuild, StepSucceeded, Fix, CountRound, RoundsLeft>,
            Row<Rebuild, StepSucceeded, BuildFailed, none, NoRoundsLeft>,
            Row<Publish, StepSucceeded, Approval>,
            Row<Approval, Signalled, Check, none, SignalIs<Approve>>,
            Row<Approval, Signalled, Rejected, none, SignalIs<Reject>>,
            Row<Check, StepSucceeded, Done>,
            Row<Check, StepFailed, Undo>,
            Row<Undo, StepSucceeded, RolledBack>,
            Row<RolledBack, Resumed, Check>,
            Row<Approval, TimerFired, Rejected>,
            Row<BuildFailed, Resumed, Rebuild>,
            Row<Rejected, Resumed, Approval>,
            Row<Done, Resumed, Done>> {};
};

StateSpec ActivityState(const std::string& activity, const RetryPolicy& retry) {
  StateSpec s;
  s.kind = StateKind::kActivity;
  s.activity = activity;
  s.retry = retry;
  return s;
}

StateSpec FinalState(StateKind kind, const std::string& message = "") {
  StateSpec s;
  s.kind = kind;
  s.failure_message = message;
  return s;
}

}  // namespace

WorkflowType SevenStepType(const std::string& name, const std::string& activity,
                           const RetryPolicy& retry, bool serial_per_tenant) {
  WorkflowType t;
  t.name = name;
  t.steps = {"s1", "s2", "s3", "s4", "s5", "s6", "s7"};
  for (const auto& s : t.steps) t.states[s] = ActivityState(activity, retry);
  t.states["done"] = FinalState(StateKind::kCompleted);
  t.make_machine = [] { return MakeMsmMachine<SevenFront>(); };
  if (serial_per_tenant) t.serial_group = name;
  return t;
}

WorkflowType RoutedType(const std::string& activity, const RetryPolicy& retry) {
  WorkflowType t;
  t.name = "routed";
  t.steps = {"build", "fix", "rebuild", "publish", "approval", "check", "undo"};
  for (const char* s : {"build", "fix", "rebuild", "publish", "check", "undo"}) {
    t.states[s] = ActivityState(activity, retry);
  }
  t.states["approval"].kind = StateKind::kWait;
  t.states["approval"].wait_timeout_input_key = "approval_timeout_s";
  t.states["done"] = FinalState(StateKind::kCompleted);
  t.states["rolled_back"] = FinalState(StateKind::kFailed, "check failed; rolled back");
  t.states["rejected"] = FinalState(StateKind::kFailed, "rejected at approval");
  t.states["build_failed"] = FinalState(StateKind::kFailed, "build still failing after fixes");
  t.make_machine = [] { return MakeMsmMachine<RoutedFront>(); };
  return t;
}

}  // namespace slipway::engine::testing
