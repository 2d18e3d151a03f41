// workflows/activities/autofix_activity.h: the deployment's `autofix` step. Hands the parsed
// errors of the latest failing validation (validate's in round 1, revalidate's after) to
// activities::Autofixer, which asks the LLM and commits the edits it can trust in one commit on
// the deployment's branch; the step's idempotency key makes a repeated attempt recover that
// commit instead of asking again.
//
// Output (persisted keys): round (1, 2, ...), commit_sha (what `revalidate` builds: the fix
// commit, else the failing commit, else the new head when the branch moved meanwhile),
// committed, fixes_applied, and running totals over the rounds: fixes_total, commits [sha],
// llm_total {input_tokens, output_tokens, cost_usd}; plus `autofix`, the Autofixer's full
// result (LLM reply, accepted and rejected edits, cost) for auditors. No secrets: the reply and
// edits are the tenant's source, and history redacts credential-looking strings anyway.
#pragma once

#include <nlohmann/json.hpp>

#include "activities/autofix.h"
#include "engine/activity.h"
#include "workflows/deps.h"

namespace slipway::workflows {

class AutofixActivity : public engine::Activity {
 public:
  explicit AutofixActivity(const WorkflowDeps& deps) : deps_(deps) {}
  Result<nlohmann::json> Run(const engine::ActivityCall& call) override;

 private:
  const WorkflowDeps& deps_;
};

}  // namespace slipway::workflows
