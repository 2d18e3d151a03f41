// workflows/activities/validate_activity.h: the deployment's `validate` and `revalidate` steps.
// Downloads the source of one commit and runs the build validation on it.
//
// Which commit: `validate` builds the commit `save` recorded; `revalidate` builds the one
// `autofix` committed; a run resumed by ops builds the branch's current head (a human fixed the
// repository). Output (persisted keys): passed, sha, errors [{tool,file,line,column,code,
// message}], error_count, steps, from_cache, round (autofix rounds done before this build).
//
// A failing build is an output (passed=false) while autofix rounds are left, so the table can
// route to `autofix`; once they are spent (or autofix is not available) it is a kPermanent error
// whose message lists the parsed errors, for the editor. kUnavailable etc. from the download or
// the validator are passed on (retryable).
//
// TODO(workflows): two gaps need the engine, not this file. (1) The workflow's `error` object
// carries the parsed errors only as text: a Status has no structured payload and the engine
// builds step errors from code/message/field alone (ErrorJson in engine/step_runner.cc).
// Wanted: Status::WithDetails(json text), copied by ErrorJson into error.details, then this
// step returns Permanent(...).WithDetails({"build_errors": errors}). (2) A failing build that
// goes on to autofix shows `validate` as `succeeded` in the steps view, because routing needs
// the errors as a step output (failed steps record none, and ActivityCall.outputs only holds
// succeeded steps). Wanted: either a step outcome "failed with output" that the table can route
// on, or failed steps' errors (with details) passed to later activities.
#pragma once

#include <nlohmann/json.hpp>

#include "engine/activity.h"
#include "workflows/deps.h"

namespace slipway::workflows {

class ValidateActivity : public engine::Activity {
 public:
  // autofix_available: whether a failing build may go to autofix at all.
  ValidateActivity(const WorkflowDeps& deps, bool autofix_available)
      : deps_(deps), autofix_available_(autofix_available) {}
  Result<nlohmann::json> Run(const engine::ActivityCall& call) override;

 private:
  Result<std::string> ShaToBuild(const engine::ActivityCall& call, const nlohmann::json& save);
  int MaxRounds(const engine::ActivityCall& call) const;

  const WorkflowDeps& deps_;
  bool autofix_available_;
};

// Autofix rounds done before this step ran (outputs.autofix.round for `revalidate`).
int AutofixRoundsDone(const engine::ActivityCall& call);

}  // namespace slipway::workflows
