#include "engine/testing/upgrade_workflow.h"

#include "engine/msm_machine.h"

namespace slipway::engine::testing {

namespace mpl = boost::mpl;
using boost::msm::front::Row;

namespace {

struct Prepare : NamedState<Prepare> { static constexpr const char* kName = "prepare"; };
struct Pause : NamedState<Pause> { static constexpr const char* kName = "pause"; };
struct Done : NamedState<Done> { static constexpr const char* kName = "done"; };
struct FinishV1 : NamedState<FinishV1> { static constexpr const char* kName = "finish_v1"; };
struct FinishV2 : NamedState<FinishV2> { static constexpr const char* kName = "finish_v2"; };
struct NotifyV2 : NamedState<NotifyV2> { static constexpr const char* kName = "notify_v2"; };

struct UpgradeV1 : WorkflowFront<UpgradeV1> {
  using initial_state = Prepare;
  struct transition_table
      : mpl::vector<Row<Prepare, StepSucceeded, Pause>, Row<Pause, TimerFired, FinishV1>,
                    Row<FinishV1, StepSucceeded, Done>> {};
};

struct UpgradeV2 : WorkflowFront<UpgradeV2> {
  using initial_state = Prepare;
  struct transition_table
      : mpl::vector<Row<Prepare, StepSucceeded, Pause>, Row<Pause, TimerFired, FinishV2>,
                    Row<FinishV2, StepSucceeded, NotifyV2>, Row<NotifyV2, StepSucceeded, Done>> {};
};

}  // namespace

WorkflowType UpgradeType(int version, const std::string& activity, const RetryPolicy& retry,
                         int64_t pause_ms) {
  WorkflowType t;
  t.name = "upgrade";
  t.version = version;
  t.steps = version == 1 ? std::vector<std::string>{"prepare", "pause", "finish_v1"}
                         : std::vector<std::string>{"prepare", "pause", "finish_v2", "notify_v2"};
  for (const auto& s : t.steps) {
    t.states[s].kind = StateKind::kActivity;
    t.states[s].activity = activity;
    t.states[s].retry = retry;
  }
  t.states["pause"] = StateSpec{};
  t.states["pause"].kind = StateKind::kWait;
  t.states["pause"].wait_timeout_ms = pause_ms;
  t.states["done"].kind = StateKind::kCompleted;
  if (version == 1) {
    t.make_machine = [] { return MakeMsmMachine<UpgradeV1>(); };
  } else {
    t.make_machine = [] { return MakeMsmMachine<UpgradeV2>(); };
  }
  return t;
}

}  // namespace slipway::engine::testing
