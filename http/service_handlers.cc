// http/service_handlers.cc: GET /healthz (no auth: 200, or 503 with the "problems" that keep
// the API from serving), GET /metrics (Prometheus text, ops and auditors), GET
// /v1/openapi.json (no auth).
#include "http/errors.h"
#include "http/handlers.h"
#include "http/stats.h"

namespace slipway::http {

namespace {

// Finished workflows per status that step and LLM figures are computed over, per scrape.
constexpr int kMetricsWindow = 200;
// The slipway_stats_* gauges: the workflows created in the last 24 hours, at most this many.
constexpr int64_t kStatsWindowMs = 24 * 3600 * 1000;
constexpr size_t kStatsMaxWorkflows = 20'000;

// An id no workflow can have (ids have no spaces): /healthz reads its head to see that the
// store answers.
constexpr const char* kHealthProbeId = "healthz probe";

void WriteText(Poco::Net::HTTPServerResponse& resp, const std::string& type,
               const std::string& text) {
  SetStatus(resp, 200);
  resp.setContentType(type);
  resp.sendBuffer(text.data(), text.size());  // whole: never blocks an event loop
}

}  // namespace

// Served on an event loop: a few counters and one small store read (the head of an id that
// does not exist, normally from SQLite's page cache), never a wait.
void HandleHealth(ApiServices& s, Exchange& ex) {
  std::vector<std::string> problems;
  if (s.stopping.load()) problems.push_back("shutting_down");
  const IoServerLoad load = s.server_load ? s.server_load() : IoServerLoad{};
  if (load.pool_full) problems.push_back("worker_pool_full");
  if (load.connections_full) problems.push_back("connection_cap_reached");
  Result<storage::Instance> probe = s.engine.store().LoadHead(kHealthProbeId);
  if (!probe.ok() && probe.status().code() != Code::kNotFound) {
    problems.push_back("store_unavailable");
  }
  if (problems.empty()) return WriteJson(ex.resp, 200, {{"status", "ok"}});
  std::string message = "cannot serve:";
  for (const std::string& p : problems) message += " " + p;
  ex.resp.set("Retry-After", "1");
  WriteJson(ex.resp, 503,
            {{"status", "unavailable"},
             {"problems", problems},
             {"error", {{"code", "unavailable"}, {"message", message}}}});
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
  const TimeMs now = s.engine.clock().NowMs();
  Result<nlohmann::json> plan_stats =
      StatsOver(s.engine, now - kStatsWindowMs, now, kStatsMaxWorkflows);
  if (!plan_stats.ok()) return WriteError(ex.resp, plan_stats.status());
  std::string text = RenderWorkflowCounts(*counts) + RenderQueueDepth(*counts) +
                     RenderStoreStats(*stats) +
                     RenderTaskBacklog(*next_wake_up, s.engine.clock().NowMs()) +
                     RenderClaimableTasks(*claimable) +
                     RenderStepSamples(*samples, kMetricsWindow) +
                     RenderLlmUsage(recent->instances) + RenderStats(*plan_stats, "24h") +
                     (s.options.llm_budget_state ? RenderLlmBudget(s.options.llm_budget_state())
                                                 : std::string()) +
                     s.metrics.RenderRequests() + s.metrics.RenderWebhooks() +
                     s.metrics.refusals().Render() +
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
