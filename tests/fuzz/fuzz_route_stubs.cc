// tests/fuzz/fuzz_route_stubs.cc: the endpoint handlers the route table (http/router.cc) points
// at, as empty stubs, so that the request-head target links the router without the engine,
// the store and every handler. The fuzz targets only match routes; they never call a handler.
// A handler added to http/handlers.h needs a stub here.
namespace slipway::http {

struct ApiServices;
struct Exchange;

void HandleStartWorkflow(ApiServices&, Exchange&) {}
void HandleListWorkflows(ApiServices&, Exchange&) {}
void HandleGetWorkflow(ApiServices&, Exchange&) {}
void HandleHistory(ApiServices&, Exchange&) {}
void HandleStream(ApiServices&, Exchange&) {}
void HandleCancelWorkflow(ApiServices&, Exchange&) {}
void HandleResumeWorkflow(ApiServices&, Exchange&) {}
void HandleSignalWorkflow(ApiServices&, Exchange&) {}
void HandleHealth(ApiServices&, Exchange&) {}
void HandleMetrics(ApiServices&, Exchange&) {}
void HandleStats(ApiServices&, Exchange&) {}
void HandleCreateToken(ApiServices&, Exchange&) {}
void HandleListTokens(ApiServices&, Exchange&) {}
void HandleRevokeToken(ApiServices&, Exchange&) {}
void HandleRevealToken(ApiServices&, Exchange&) {}
void HandleListTenants(ApiServices&, Exchange&) {}
void HandleConsoleIndex(ApiServices&, Exchange&) {}
void HandleConsoleFile(ApiServices&, Exchange&) {}
void HandleWhoAmI(ApiServices&, Exchange&) {}
void HandleOpenApi(ApiServices&, Exchange&) {}
void HandleGitHubWebhook(ApiServices&, Exchange&) {}

}  // namespace slipway::http
