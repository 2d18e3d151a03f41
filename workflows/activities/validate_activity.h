// workflows/activities/validate_activity.h: the deployment's `validate` and `revalidate` steps.
// Downloads the source of one commit and runs the build validation on it, unless the build
// cache has a result for the commit's tree (built the same way, by any tenant: the deployments
// of one template's unchanged site build once); then nothing is downloaded or built.
//
// Which commit: `validate` builds the commit `save` recorded; `revalidate` builds the one
// `autofix` committed; a run resumed by ops builds the branch's current head (a human fixed the
// repository). Output (persisted keys): passed, sha, errors [{tool,file,line,column,code,
// message}], error_count, steps, from_cache, tree_sha, round (autofix rounds done before this
// build).
//
// Both states are limit_on_request in the "build" class (engine/workflow_type.h): an attempt
// first looks in the build cache outside the class, so a cache hit takes no build slot; a miss
// answers NeedsLimit with progress {state: "waiting_for_build_slot", message, sha, tree_sha}
// and the attempt's next look (in the class) downloads and builds that commit (after a last
// look in the cache: another tenant may have built the same tree meanwhile).
//
// A failing build is an output (passed=false) while autofix rounds are left, so the table can
// route to `autofix`; the output also carries engine::kStepErrorKey, so the steps view shows the
// step as `failed` with the BuildFailure error. Once the rounds are spent (or autofix is not
// available) the BuildFailure itself is returned, a kPermanent error that fails the workflow:
// its message lists the parsed errors as text, its details (error.details of the step and of
// the workflow) as data: {sha, errors [...as above], error_count, autofix_rounds, output_tail
// (only when no error could be parsed)}. kUnavailable etc. from the download or the validator
// are passed on (retryable).
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
  // The commit and its tree: those the attempt's NeedsLimit look recorded, else looked up.
  Status Target(const engine::ActivityCall& call, const nlohmann::json& save,
                activities::build::ValidateRequest& req);
  int MaxRounds(const engine::ActivityCall& call) const;
  // The commit's git tree sha ("" when GitHub does not know the commit: no tree key then).
  Result<std::string> TreeOf(const std::string& repo, const std::string& sha);

  const WorkflowDeps& deps_;
  bool autofix_available_;
};

// The failed build of `sha`: kPermanent, the errors as text in the message and as data in the
// details. `why` continues "build of <sha> failed".
Status BuildFailure(const std::string& sha, const nlohmann::json& errors, int round,
                    const std::string& output_tail, const std::string& why);

// Autofix rounds done before this step ran (outputs.autofix.round for `revalidate`).
int AutofixRoundsDone(const engine::ActivityCall& call);

}  // namespace slipway::workflows
