// workflows/deployment_table.h: the Boost.MSM transition table of the deployment workflow
// (see deployment_workflow.h for the picture). Guards read the recorded step output, the
// workflow input, or what an action noted from an earlier recorded output, so replay routes
// the same way. Internal to workflows/.
//
// Releases before staged production (a `deploy` output without "staged": true) promoted at
// deploy and verified afterwards; their histories still replay through the legacy rows
// (deploy -> [domain <-> domain_wait] -> verify -> done | rollback -> rolled_back).
#pragma once

#include <boost/mpl/vector/vector50.hpp>
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
// The release's deploy output had no "staged": a deployment recorded before staged production.
inline bool StagedOutput(const nlohmann::json& output) { return output.value("staged", false); }
struct MarkRelease {  // action: notes whether this release is a legacy one (see above)
  template <class F, class S, class T>
  void operator()(StepSucceeded const& e, F& f, S&, T&) const {
    f.legacy_release = !StagedOutput(e.output);
  }
};
struct StagedOrNoDomain {
  template <class F, class S, class T>
  bool operator()(StepSucceeded const& e, F& f, S&, T&) const {
    return StagedOutput(e.output) || !HasDomain(f.input);
  }
};
struct LegacyWithDomain {
  template <class F, class S, class T>
  bool operator()(StepSucceeded const& e, F& f, S&, T&) const {
    return !StagedOutput(e.output) && HasDomain(f.input);
  }
};
struct Staged {
  template <class E, class F, class S, class T>
  bool operator()(E const&, F& f, S&, T&) const { return !f.legacy_release; }
};
struct Legacy {
  template <class E, class F, class S, class T>
  bool operator()(E const&, F& f, S&, T&) const { return f.legacy_release; }
};
// Legacy domain step: pending (with no watch of its own) waited in domain_wait; anything else
// went on to verify.
inline bool LegacyPending(const nlohmann::json& out) {
  return out.value("status", "") == "pending" && !out.contains("watch_id");
}
struct LegacyDomainPending {
  template <class F, class S, class T>
  bool operator()(StepSucceeded const& e, F& f, S&, T&) const {
    return f.legacy_release && LegacyPending(e.output);
  }
};
struct LegacyDomainDone {
  template <class F, class S, class T>
  bool operator()(StepSucceeded const& e, F& f, S&, T&) const {
    return f.legacy_release && !LegacyPending(e.output);
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
struct Approve { static constexpr const char* kSignal = "approve"; };
struct Reject { static constexpr const char* kSignal = "reject"; };
struct Recheck { static constexpr const char* kSignal = "recheck"; };

struct Front : engine::WorkflowFront<Front> {
  bool legacy_release = false;  // set by MarkRelease when `deploy` succeeds
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
  struct Verifying : NamedState<Verifying> { static constexpr const char* kName = "verify"; };
  struct Promoting : NamedState<Promoting> { static constexpr const char* kName = "promote"; };
  struct AttachingDomain : NamedState<AttachingDomain> {
    static constexpr const char* kName = "domain";
  };
  struct AwaitingDomain : NamedState<AwaitingDomain> {  // legacy releases only
    static constexpr const char* kName = "domain_wait";
  };
  struct RollingBack : NamedState<RollingBack> {  // legacy releases only
    static constexpr const char* kName = "rollback";
  };
  struct Done : NamedState<Done> { static constexpr const char* kName = "done"; };
  struct RolledBack : NamedState<RolledBack> { static constexpr const char* kName = "rolled_back"; };
  struct Rejected : NamedState<Rejected> { static constexpr const char* kName = "rejected"; };
  struct ApprovalExpired : NamedState<ApprovalExpired> {
    static constexpr const char* kName = "approval_expired";
  };
  struct VerifyFailed : NamedState<VerifyFailed> {
    static constexpr const char* kName = "verify_failed";
  };
  struct PromoteFailed : NamedState<PromoteFailed> {
    static constexpr const char* kName = "promote_failed";
  };
  struct DomainFailed : NamedState<DomainFailed> {
    static constexpr const char* kName = "domain_failed";
  };
  // A step before `verify` failed for good: nothing was released, production is untouched;
  // resume re-runs that step. (Histories recorded before these rows have the failure
  // unhandled and the workflow failed in the step's own state: they replay as they ran.)
  struct SaveFailed : NamedState<SaveFailed> { static constexpr const char* kName = "save_failed"; };
  struct ValidateFailed : NamedState<ValidateFailed> {
    static constexpr const char* kName = "validate_failed";
  };
  struct AutofixFailed : NamedState<AutofixFailed> {
    static constexpr const char* kName = "autofix_failed";
  };
  struct RevalidateFailed : NamedState<RevalidateFailed> {
    static constexpr const char* kName = "revalidate_failed";
  };
  struct DeployFailed : NamedState<DeployFailed> {
    static constexpr const char* kName = "deploy_failed";
  };
  using initial_state = Saving;
  struct transition_table
      : boost::mpl::vector42<
            Row<Saving, StepSucceeded, Validating>,
            Row<Saving, StepFailed, SaveFailed>,
            Row<Validating, StepSucceeded, Deploying, none, PassedDirect>,
            Row<Validating, StepSucceeded, AwaitingApproval, none, PassedNeedsApproval>,
            Row<Validating, StepSucceeded, Autofixing, none, NotPassed>,
            Row<Validating, StepFailed, ValidateFailed>,
            Row<Autofixing, StepSucceeded, Revalidating>,
            Row<Autofixing, StepFailed, AutofixFailed>,
            Row<Revalidating, StepSucceeded, Deploying, none, PassedDirect>,
            Row<Revalidating, StepSucceeded, AwaitingApproval, none, PassedNeedsApproval>,
            Row<Revalidating, StepSucceeded, Autofixing, none, NotPassed>,
            Row<Revalidating, StepFailed, RevalidateFailed>,
            Row<AwaitingApproval, Signalled, Deploying, none, SignalIs<Approve>>,
            Row<AwaitingApproval, Signalled, Rejected, none, SignalIs<Reject>>,
            Row<AwaitingApproval, TimerFired, ApprovalExpired>,
            Row<Deploying, StepSucceeded, Verifying, MarkRelease, StagedOrNoDomain>,
            Row<Deploying, StepSucceeded, AttachingDomain, MarkRelease, LegacyWithDomain>,
            Row<Deploying, StepFailed, DeployFailed>,
            Row<Verifying, StepSucceeded, Promoting, none, Staged>,
            Row<Verifying, StepFailed, VerifyFailed, none, Staged>,
            Row<Promoting, StepSucceeded, AttachingDomain, none, WithDomain>,
            Row<Promoting, StepSucceeded, Done, none, WithoutDomain>,
            Row<Promoting, StepFailed, PromoteFailed>,
            Row<AttachingDomain, StepSucceeded, Done, none, Staged>,
            Row<AttachingDomain, StepFailed, DomainFailed>,
            Row<SaveFailed, Resumed, Saving>,
            Row<ValidateFailed, Resumed, Validating>,
            Row<AutofixFailed, Resumed, Autofixing>,
            Row<RevalidateFailed, Resumed, Revalidating>,
            Row<DeployFailed, Resumed, Deploying>,
            Row<VerifyFailed, Resumed, Verifying>,
            Row<PromoteFailed, Resumed, Promoting>,
            Row<DomainFailed, Resumed, AttachingDomain>,
            Row<Rejected, Resumed, AwaitingApproval>,
            Row<ApprovalExpired, Resumed, AwaitingApproval>,
            // Legacy releases (promoted at deploy): replayed as they ran.
            Row<Verifying, StepSucceeded, Done, none, Legacy>,
            Row<Verifying, StepFailed, RollingBack, none, Legacy>,
            Row<AttachingDomain, StepSucceeded, Verifying, none, LegacyDomainDone>,
            Row<AttachingDomain, StepSucceeded, AwaitingDomain, none, LegacyDomainPending>,
            Row<AwaitingDomain, TimerFired, AttachingDomain>,
            Row<AwaitingDomain, Signalled, AttachingDomain, none, SignalIs<Recheck>>,
            Row<RollingBack, StepSucceeded, RolledBack>> {};
};

}  // namespace slipway::workflows::deployment
