// http/service_handlers.cc: GET /healthz (no auth), GET /metrics (Prometheus text, ops and
// auditors), GET /v1/openapi.json (no auth).
#include "http/errors.h"
#include "http/handlers.h"

namespace slipway::http {

namespace {

// Finished workflows per status that step and LLM figures are computed over, per scrape.
constexpr int kMetricsWindow = 200;

void WriteText(Poco::Net::HTTPServerResponse& resp, const std::string& type,
               const std::string& text) {
  SetStatus(resp, 200);
  resp.setContentType(type);
  resp.sendBuffer(text.data(), text.size());  // whole: never blocks an event loop
}

}  // namespace

void HandleHealth(ApiServices& s, Exchange& ex) {
  if (s.stopping.load()) return WriteError(ex.resp, Unavailable("shutting down"));
  WriteJson(ex.resp, 200, {{"status", "ok"}});
}

void HandleMetrics(ApiServices& s, Exchange& ex) {
  Result<std::vector<storage::TypeStatusCount>> counts = s.engine.store().CountByTypeAndStatus();
  if (!counts.ok()) return WriteError(ex.resp, counts.status());
  Result<storage::StoreStats> stats = s.engine.store().Stats();
  if (!stats.ok()) return WriteError(ex.resp, stats.status());
  Result<std::optional<TimeMs>> next_wake_up = s.engine.store().NextWakeUp();
  if (!next_wake_up.ok()) return WriteError(ex.resp, next_wake_up.status());
  Result<int64_t> claimable = s.engine.store().CountClaimableTasks(s.engine.clock().NowMs());
  if (!claimable.ok()) return WriteError(ex.resp, claimable.status());
  Result<std::vector<engine::StepSample>> samples = s.engine.RecentStepSamples(kMetricsWindow);
  if (!samples.ok()) return WriteError(ex.resp, samples.status());
  storage::ListQuery completed;
  completed.status = "completed";
  completed.limit = kMetricsWindow;
  Result<storage::ListPage> recent = s.engine.List(completed);
  if (!recent.ok()) return WriteError(ex.resp, recent.status());
  std::string text = RenderWorkflowCounts(*counts) + RenderQueueDepth(*counts) +
                     RenderStoreStats(*stats) +
                     RenderTaskBacklog(*next_wake_up, s.engine.clock().NowMs()) +
                     RenderClaimableTasks(*claimable) +
                     RenderStepSamples(*samples, kMetricsWindow) +
                     RenderLlmUsage(recent->instances) +
                     s.metrics.RenderRequests() +
                     "# HELP slipway_http_waiting_requests Long polls and streams in progress.\n"
                     "# TYPE slipway_http_waiting_requests gauge\n"
                     "slipway_http_waiting_requests " +
                     std::to_string(s.waiters.load()) + "\n";
  WriteText(ex.resp, "text/plain; version=0.0.4", text);
}

void HandleOpenApi(ApiServices& s, Exchange& ex) {
  WriteText(ex.resp, "application/json", s.openapi_json);
}

}  // namespace slipway::http
