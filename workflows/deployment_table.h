// workflows/deployment_table.h: the Boost.MSM transition table of the deployment workflow
// (see deployment_workflow.h for the picture). Guards read the recorded step output or the
// workflow input only, so replay routes the same way. Internal to workflows/.
#pragma once

#include <boost/mpl/vector/vector30.hpp>
#include <string>

#include "engine/msm_machine.h"

namespace slipway::workflows::deployment {

using boost::msm::front::none;
using boost::msm::front::Row;
using engine::NamedState;
using engine::Resumed;
using engine::Signalled;
using engine::SignalIs;
using engine::StepFailed;
using engine::StepSucceeded;
using engine::TimerFired;

inline bool InputFlag(const nlohmann::json& in, const char* key) {
  return in.is_object() && in.contains(key) && in[key].is_boolean() && in[key].get<bool>();
}
inline bool HasDomain(const nlohmann::json& in) {
  return in.is_object() && in.contains("custom_domain") && in["custom_domain"].is_string() &&
         !in["custom_domain"].get<std::string>().empty();
}

struct PassedDirect {
  template <class F, class S, class T>
  bool operator()(StepSucceeded const& e, F& f, S&, T&) const {
    return e.output.value("passed", false) && !InputFlag(f.input, "require_approval");
  }
};
struct PassedNeedsApproval {
  template <class F, class S, class T>
  bool operator()(StepSucceeded const& e, F& f, S&, T&) const {
    return e.output.value("passed", false) && InputFlag(f.input, "require_approval");
  }
};
struct NotPassed {
  template <class F, class S, class T>
  bool operator()(StepSucceeded const& e, F&, S&, T&) const {
    return !e.output.value("passed", false);
  }
};
struct WithDomain {
  template <class E, class F, class S, class T>
  bool operator()(E const&, F& f, S&, T&) const { return HasDomain(f.input); }
};
struct WithoutDomain {
  template <class E, class F, class S, class T>
  bool operator()(E const&, F& f, S&, T&) const { return !HasDomain(f.input); }
};
struct DomainVerified {
  template <class F, class S, class T>
  bool operator()(StepSucceeded const& e, F&, S&, T&) const {
    return e.output.value("status", "") != "pending";
  }
};
struct DomainPending {
  template <class F, class S, class T>
  bool operator()(StepSucceeded const& e, F&, S&, T&) const {
    return e.output.value("status", "") == "pending";
  }
};
struct Approve { static constexpr const char* kSignal = "approve"; };
struct Reject { static constexpr const char* kSignal = "reject"; };
struct Recheck { static constexpr const char* kSignal = "recheck"; };

struct Front : engine::WorkflowFront<Front> {
  struct Saving : NamedState<Saving> { static constexpr const char* kName = "save"; };
  struct Validating : NamedState<Validating> { static constexpr const char* kName = "validate"; };
  struct Autofixing : NamedState<Autofixing> { static constexpr const char* kName = "autofix"; };
  struct Revalidating : NamedState<Revalidating> {
    static constexpr const char* kName = "revalidate";
  };
  struct AwaitingApproval : NamedState<AwaitingApproval> {
    static constexpr const char* kName = "approval";
  };
  struct Deploying : NamedState<Deploying> { static constexpr const char* kName = "deploy"; };
  struct AttachingDomain : NamedState<AttachingDomain> {
    static constexpr const char* kName = "domain";
  };
  struct AwaitingDomain : NamedState<AwaitingDomain> {
    static constexpr const char* kName = "domain_wait";
  };
  struct Verifying : NamedState<Verifying> { static constexpr const char* kName = "verify"; };
  struct RollingBack : NamedState<RollingBack> { static constexpr const char* kName = "rollback"; };
  struct Done : NamedState<Done> { static constexpr const char* kName = "done"; };
  struct RolledBack : NamedState<RolledBack> { static constexpr const char* kName = "rolled_back"; };
  struct Rejected : NamedState<Rejected> { static constexpr const char* kName = "rejected"; };
  struct ApprovalExpired : NamedState<ApprovalExpired> {
    static constexpr const char* kName = "approval_expired";
  };
  using initial_state = Saving;
  struct transition_table
      : boost::mpl::vector22<
            Row<Saving, StepSucceeded, Validating>,
            Row<Validating, StepSucceeded, Deploying, none, PassedDirect>,
            Row<Validating, StepSucceeded, AwaitingApproval, none, PassedNeedsApproval>,
            Row<Validating, StepSucceeded, Autofixing, none, NotPassed>,
            Row<Autofixing, StepSucceeded, Revalidating>,
            Row<Revalidating, StepSucceeded, Deploying, none, PassedDirect>,
            Row<Revalidating, StepSucceeded, AwaitingApproval, none, PassedNeedsApproval>,
            Row<Revalidating, StepSucceeded, Autofixing, none, NotPassed>,
            Row<AwaitingApproval, Signalled, Deploying, none, SignalIs<Approve>>,
            Row<AwaitingApproval, Signalled, Rejected, none, SignalIs<Reject>>,
            Row<AwaitingApproval, TimerFired, ApprovalExpired>,
            Row<Deploying, StepSucceeded, AttachingDomain, none, WithDomain>,
            Row<Deploying, StepSucceeded, Verifying, none, WithoutDomain>,
            Row<AttachingDomain, StepSucceeded, Verifying, none, DomainVerified>,
            Row<AttachingDomain, StepSucceeded, AwaitingDomain, none, DomainPending>,
            Row<AwaitingDomain, TimerFired, AttachingDomain>,
            Row<AwaitingDomain, Signalled, AttachingDomain, none, SignalIs<Recheck>>,
            Row<Verifying, StepSucceeded, Done>,
            Row<Verifying, StepFailed, RollingBack>,
            Row<RollingBack, StepSucceeded, RolledBack>,
            Row<Rejected, Resumed, AwaitingApproval>,
            Row<ApprovalExpired, Resumed, AwaitingApproval>> {};
};

}  // namespace slipway::workflows::deployment
