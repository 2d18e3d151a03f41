// http/handlers.h: one function per endpoint. Each parses and validates into plain values,
// checks tenant scoping, makes one engine call (long polls and streams repeat theirs) and
// maps the result; errors go through WriteError. Called on a server thread.
#pragma once

#include "http/api_context.h"

namespace slipway::http {

void HandleStartWorkflow(ApiServices& s, Exchange& ex);   // POST /v1/workflows
void HandleListWorkflows(ApiServices& s, Exchange& ex);   // GET  /v1/workflows
void HandleGetWorkflow(ApiServices& s, Exchange& ex);     // GET  /v1/workflows/{id}
void HandleHistory(ApiServices& s, Exchange& ex);         // GET  /v1/workflows/{id}/history
void HandleStream(ApiServices& s, Exchange& ex);          // GET  /v1/workflows/{id}/stream
// An engine verb that takes only the caller (cancel, resume).
using ReasonVerb = Result<engine::Workflow> (engine::Engine::*)(const std::string&,
                                                               const engine::Caller&);
void HandleReasonVerb(ApiServices& s, Exchange& ex, ReasonVerb verb);
void HandleCancelWorkflow(ApiServices& s, Exchange& ex);  // POST /v1/workflows/{id}/cancel
void HandleResumeWorkflow(ApiServices& s, Exchange& ex);  // POST /v1/workflows/{id}/resume
void HandleSignalWorkflow(ApiServices& s, Exchange& ex);  // POST .../signals/{name}
void HandleHealth(ApiServices& s, Exchange& ex);          // GET  /healthz
void HandleMetrics(ApiServices& s, Exchange& ex);         // GET  /metrics
void HandleStats(ApiServices& s, Exchange& ex);           // GET  /v1/stats
// The stats (stats.h) of the workflows created in [from, to), at most `max_workflows` newest.
Result<nlohmann::json> StatsOver(engine::Engine& engine, TimeMs from, TimeMs to,
                                 size_t max_workflows);
void HandleCreateToken(ApiServices& s, Exchange& ex);     // POST /v1/tokens
void HandleListTokens(ApiServices& s, Exchange& ex);      // GET  /v1/tokens
void HandleRevokeToken(ApiServices& s, Exchange& ex);     // POST /v1/tokens/{id}/revoke
void HandleRevealToken(ApiServices& s, Exchange& ex);     // POST /v1/tokens/{id}/reveal
void HandleListTenants(ApiServices& s, Exchange& ex);     // GET  /v1/tenants
void HandleOpenApi(ApiServices& s, Exchange& ex);         // GET  /v1/openapi.json
void HandleGitHubWebhook(ApiServices& s, Exchange& ex);   // POST /v1/webhooks/github
void HandleConsoleIndex(ApiServices& s, Exchange& ex);    // GET  / (console.h)
void HandleConsoleFile(ApiServices& s, Exchange& ex);     // GET  /console/{file}
void HandleWhoAmI(ApiServices& s, Exchange& ex);          // GET  /v1/whoami

}  // namespace slipway::http
