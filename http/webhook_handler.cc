// http/webhook_handler.cc: POST /v1/webhooks/github, GitHub's deliveries for tenant
// repositories. No token: the X-Hub-Signature-256 of the raw body, keyed with the tenant's
// webhook secret, authenticates it (401 and slipway_webhook_bad_signature_total otherwise; an
// unknown repository looks the same, so tenants cannot be probed).
//
//   ping                                    200 {"status": "pong"}
//   push to the tenant's editor branch      202 {"status": "started", "workflow_id"}: a
//     by someone other than Slipway         deployment of that branch, its history's actor
//                                           "github:<pusher>"
//   the same delivery again                 200 {"status": "duplicate", "workflow_id"}
//   anything else                           200 {"status": "ignored", "reason"}
//
// Repeated deliveries: the deployment's id is "<tenant>:github-<X-GitHub-Delivery>", and
// Engine::Start is idempotent on the id, so the store itself remembers every delivery that
// started something, across restarts; deliveries that start nothing need no memory. The body
// is bounded like every body (HttpApiOptions::max_body, 413) and its JSON depth too.
#include "engine/base/json_depth.h"
#include "http/errors.h"
#include "http/github_webhook.h"
#include "http/handlers.h"

namespace slipway::http {

using nlohmann::json;

namespace {

struct Delivery {
  std::string event;
  std::string id;
  std::string signature;
  std::string body;
  json payload;
};

Result<Delivery> ReadDelivery(ApiServices& s, Exchange& ex) {
  Delivery d;
  d.event = ex.req.get("X-GitHub-Event", "");
  d.id = ex.req.get("X-GitHub-Delivery", "");
  d.signature = ex.req.get("X-Hub-Signature-256", "");
  const int64_t declared = ex.req.hasContentLength() ? ex.req.getContentLength64() : -1;
  Result<std::string> body = ReadBody(ex.req.stream(), declared, s.options.max_body);
  if (!body.ok()) return body.status();
  d.body = std::move(*body);
  if (d.event.empty() || d.event.size() > 64) {
    return InvalidArgument("X-GitHub-Event", "the event name header is required");
  }
  if (!IsDeliveryId(d.id)) {
    return InvalidArgument("X-GitHub-Delivery", "must be 1-64 characters of [A-Za-z0-9-]");
  }
  if (JsonNestsDeeperThan(d.body, s.options.max_json_depth)) {
    return InvalidArgument(kBodyField, "JSON nested too deeply");
  }
  d.payload = json::parse(d.body, nullptr, false);
  if (!d.payload.is_object()) return InvalidArgument(kBodyField, "body must be a JSON object");
  return d;
}

// The tenant whose secret signed the body; kUnauthenticated (counted) for anything else.
Result<WebhookTenant> Authenticate(ApiServices& s, const Delivery& d) {
  Result<std::string> repo = RepositoryFullName(d.payload);
  if (!repo.ok()) return repo.status();
  Result<WebhookTenant> tenant = s.options.webhook_tenants(*repo);
  if (!tenant.ok() && tenant.status().code() != Code::kNotFound) return tenant.status();
  Status verified = tenant.ok() ? VerifyGitHubSignature(tenant->secret, d.body, d.signature)
                                : VerifyGitHubSignature("", d.body, d.signature);
  if (!verified.ok()) {
    s.metrics.CountWebhookBadSignature();
    return verified;
  }
  return tenant;
}

void Ignore(Exchange& ex, const std::string& reason) {
  WriteJson(ex.resp, 200, {{"status", "ignored"}, {"reason", reason}});
}

void StartDeployment(ApiServices& s, Exchange& ex, const Delivery& d, const WebhookTenant& t,
                     const PushFacts& push) {
  engine::StartRequest start;
  start.type = "deployment";
  start.tenant = t.tenant;
  start.id = t.tenant + ":github-" + d.id;
  start.input = {{"ref", push.branch},
                 {"trigger", {{"source", "github_push"}, {"delivery", d.id},
                              {"sha", push.after}, {"pusher", push.pusher}}}};
  ex.caller.actor = "github:" + push.pusher;
  ex.caller.reason = "push of " + push.after.substr(0, 12) + " to " + push.branch +
                     " (GitHub delivery " + d.id + ")";
  Result<engine::Workflow> wf = s.engine.Start(start, ex.caller);
  if (!wf.ok() && wf.status().code() == Code::kConflict) {
    return WriteJson(ex.resp, 200, {{"status", "duplicate"}, {"workflow_id", start.id}});
  }
  if (!wf.ok()) return WriteError(ex.resp, wf.status());
  WriteJson(ex.resp, wf->created ? 202 : 200,
            {{"status", wf->created ? "started" : "duplicate"}, {"workflow_id", wf->instance.id}});
}

}  // namespace

void HandleGitHubWebhook(ApiServices& s, Exchange& ex) {
  if (!s.options.webhook_tenants) {
    return WriteError(ex.resp, NotFound("GitHub webhooks are not configured on this server"));
  }
  Result<Delivery> d = ReadDelivery(s, ex);
  if (!d.ok()) return WriteError(ex.resp, d.status());
  Result<WebhookTenant> tenant = Authenticate(s, *d);
  if (!tenant.ok()) return WriteError(ex.resp, tenant.status());
  if (d->event == "ping") return WriteJson(ex.resp, 200, {{"status", "pong"}});
  if (d->event != "push") return Ignore(ex, "event " + d->event + " is not handled");
  Result<PushFacts> push = ReadPush(d->payload);
  if (!push.ok()) return WriteError(ex.resp, push.status());
  if (tenant->editor_branch.empty()) return Ignore(ex, "the tenant is not onboarded yet");
  if (push->branch != tenant->editor_branch) {
    return Ignore(ex, "not the editor's branch (" + tenant->editor_branch + ")");
  }
  if (push->deleted) return Ignore(ex, "the branch was deleted");
  if (push->commits == 0) return Ignore(ex, "no new commits");
  if (push->only_slipway) return Ignore(ex, "commits made by Slipway");
  StartDeployment(s, ex, *d, *tenant, *push);
}

}  // namespace slipway::http
