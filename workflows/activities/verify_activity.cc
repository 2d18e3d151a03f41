// workflows/activities/verify_activity.cc: site verification and the welcome e-mail.
#include "workflows/activities/verify_activity.h"

#include "workflows/activities/activity_util.h"
#include "workflows/activities/onboarding_activities.h"

namespace slipway::workflows {

using nlohmann::json;

namespace {
constexpr size_t kMaxLinksInMessage = 5;

bool Overloaded(int status) { return status == 429 || status >= 500; }

// A failure that only shows the site (or its host) overloaded or not answering: 429/5xx for the
// page, or broken links that are all 429/5xx/no answer. Retried per the step's policy before
// it counts as a failed verification (and a rollback).
bool LooksTransient(const activities::VerifyResult& r) {
  const bool lighthouse_crashed = !r.lighthouse.error.empty() && r.lighthouse.retryable;
  if (!r.lighthouse.passed && !lighthouse_crashed) return false;
  if (Overloaded(r.status)) return true;
  if (r.status < 200 || r.status >= 300) return false;
  if (r.broken_links.empty()) return lighthouse_crashed;
  for (const auto& b : r.broken_links) {
    if (b.status != 0 && !Overloaded(b.status)) return false;
  }
  return true;
}
}  // namespace

std::string DescribeFailedVerify(const activities::VerifyResult& r) {
  std::string out = "verification of " + r.url + " failed: " + r.reason;
  out += " (HTTP " + std::to_string(r.status) + ", " + std::to_string(r.pages_checked) +
         " page(s) checked";
  if (!r.lighthouse.scores.empty()) {
    out += ", Lighthouse";
    for (const auto& [category, score] : r.lighthouse.scores) {
      out += " " + category + " " + std::to_string(score);
    }
  }
  out += ")";
  for (size_t i = 0; i < r.broken_links.size() && i < kMaxLinksInMessage; ++i) {
    const auto& b = r.broken_links[i];
    out += "\nbroken link " + b.href + " on " + b.from +
           (b.status > 0 ? " (HTTP " + std::to_string(b.status) + ")" : " (" + b.error + ")");
  }
  if (r.broken_links.size() > kMaxLinksInMessage) {
    out += "\n... and " + std::to_string(r.broken_links.size() - kMaxLinksInMessage) + " more";
  }
  return out;
}

namespace {
// What the workflow's error shows of a failed verification: the staged deployment that was
// checked (production never served it) and what was found.
Status FailedVerify(Status st, const json& deploy, const activities::VerifyResult& r) {
  json found = activities::ToJson(r);
  json details = {{"staged_deployment_id", deploy.value("deployment_id", "")},
                  {"url", deploy.value("url", "")},
                  {"sha", deploy.value("sha", "")},
                  {"production", "unchanged"},
                  {"reason", r.reason},
                  {"verify", found}};
  return std::move(st).WithDetails(details.dump());
}
}  // namespace

Result<json> VerifyActivity::Run(const engine::ActivityCall& call) {
  if (deps_.verifier == nullptr) {
    return json{{"passed", true}, {"skipped", true}, {"reason", "no verifier is configured"}};
  }
  Result<json> deploy = OutputOf(call, "deploy");
  if (!deploy.ok()) return deploy.status();
  activities::VerifyRequest req;
  req.url = deploy->value("url", "") + "/";
  req.connect_origin = deps_.options.verify_connect_origin;
  if (call.input.contains("lighthouse_thresholds")) {  // the tenant's, copied at start
    Result<activities::LighthouseThresholds> t = activities::LighthouseThresholdsFromJson(
        call.input["lighthouse_thresholds"], "lighthouse_thresholds");
    if (!t.ok()) return Permanent(t.status().message());
    req.lighthouse_thresholds = *t;
  }
  Result<activities::VerifyResult> r = deps_.verifier->Run(req);
  if (!r.ok()) return Annotate(r.status(), "verify " + req.url);
  if (!r->passed && LooksTransient(*r)) {
    return FailedVerify(Unavailable(DescribeFailedVerify(*r)), *deploy, *r);
  }
  if (!r->passed) return FailedVerify(Permanent(DescribeFailedVerify(*r)), *deploy, *r);
  return activities::ToJson(*r);
}

Result<json> WelcomeEmailActivity::Run(const engine::ActivityCall& call) {
  if (deps_.notifier == nullptr) {
    return json{{"sent", false}, {"skipped", true}, {"reason", "no notifier is configured"}};
  }
  Result<json> repo = OutputOf(call, "repository");
  if (!repo.ok()) return repo.status();
  activities::WelcomeEmail mail;
  mail.to = InputString(call, "email");
  mail.tenant = InputString(call, "name").empty() ? call.tenant : InputString(call, "name");
  mail.editor_url = "https://" + DevDomainOf(call.tenant, deps_.config.base_domain);
  mail.repo_url = repo->value("html_url", "");
  mail.idempotency_key = call.idempotency_key;
  Result<activities::NotifyResult> r = deps_.notifier->SendWelcome(mail);
  if (!r.ok()) return Annotate(r.status(), "welcome e-mail");
  json out = activities::ToJson(*r);
  out["sent"] = true;
  return out;
}

}  // namespace slipway::workflows
