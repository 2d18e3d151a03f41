// workflows/activities/verify_activity.h: the deployment's `verify` step and onboarding's
// `welcome_email` step, thin adapters over activities::Verifier and activities::Notifier.
//
// VerifyActivity checks the staged deployment `deploy` made, on its own URL (WorkflowOptions::
// verify_connect_origin sends the requests elsewhere, e.g. to the emulator). A site that fails
// the check is kPermanent with what was found (status, broken links, Lighthouse score) and, as
// the error's details, {staged_deployment_id, url, sha, production: "unchanged", reason,
// verify}: the table routes to `verify_failed` and the workflow's error carries it. No answer
// at all, or only 429/5xx answers (page or links), or a Lighthouse run that crashed or timed
// out, is kUnavailable: retried per the step's policy, and when the attempts are spent the
// failure routes the same way. A missing Chromium or Lighthouse CLI fails at once. The
// input's `lighthouse_thresholds` (the tenant's, copied at start) override the defaults per
// category. Output when passed: the Verifier's result (url, status, ms, pages_checked,
// broken_links, lighthouse, passed).
//
// WelcomeEmailActivity sends the welcome e-mail to input.email with the dev editor's URL and
// the repository link; the Message-ID comes from the step's idempotency key, so a resend is
// dropped by mail systems. Output: message_id, to.
#pragma once

#include <nlohmann/json.hpp>

#include "engine/activity.h"
#include "workflows/deps.h"

namespace slipway::workflows {

class VerifyActivity : public engine::Activity {
 public:
  explicit VerifyActivity(const WorkflowDeps& deps) : deps_(deps) {}
  Result<nlohmann::json> Run(const engine::ActivityCall& call) override;

 private:
  const WorkflowDeps& deps_;
};

class WelcomeEmailActivity : public engine::Activity {
 public:
  explicit WelcomeEmailActivity(const WorkflowDeps& deps) : deps_(deps) {}
  Result<nlohmann::json> Run(const engine::ActivityCall& call) override;

 private:
  const WorkflowDeps& deps_;
};

// What a failed verification found, one line, for the workflow's error.
std::string DescribeFailedVerify(const activities::VerifyResult& r);

}  // namespace slipway::workflows
