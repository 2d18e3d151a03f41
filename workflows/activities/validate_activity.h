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
