// http/metrics.h: Prometheus text exposition of the server: workflows by type and status
// (from the store), store sizes, HTTP requests by route, method and status, and the number of
// requests currently waiting (long polls, streams); refusals by reason and 5xx answers
// (refusals.h); queue depth; and, over a window of recently
// finished workflows (engine::Engine::RecentStepSamples, newest completed + failed), step
// durations, retries and LLM usage.
//
// HttpMetrics is thread-safe (a mutex around the request counters).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "engine/engine.h"
#include "http/refusals.h"
#include "storage/store.h"

namespace slipway::http {

class HttpMetrics {
 public:
  // Counts one finished request. `route` is the route's pattern ("/v1/workflows/{id}"), or
  // "unmatched", so that label values stay few.
  void CountRequest(const std::string& route, const std::string& method, int status);
  // The slipway_http_requests_total family, in exposition format.
  std::string RenderRequests() const;
  // A GitHub webhook delivery whose signature did not verify (POST /v1/webhooks/github).
  void CountWebhookBadSignature() { ++webhook_bad_signatures_; }
  // slipway_webhook_bad_signature_total, in exposition format.
  std::string RenderWebhooks() const;
  // What the server refused, by reason, and its 5xx answers (refusals.h).
  RefusalCounts& refusals() { return refusals_; }
  const RefusalCounts& refusals() const { return refusals_; }

 private:
  std::atomic<int64_t> webhook_bad_signatures_{0};
  RefusalCounts refusals_;
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, int64_t> requests_;  // guarded by mu_
};

// The slipway_workflows gauge family from per-(type, status) counts.
std::string RenderWorkflowCounts(const std::vector<storage::TypeStatusCount>& counts);
// Store sizes: instances, history events, tasks, leased tasks.
std::string RenderStoreStats(const storage::StoreStats& stats);
// slipway_queued_workflows: workflows waiting in a tenant's serial queue (status queued).
std::string RenderQueueDepth(const std::vector<storage::TypeStatusCount>& counts);
// slipway_task_backlog_seconds: how long the oldest claimable task has waited for a worker,
// given the store's NextWakeUp (earliest due time or expired lease) and now; 0 when nothing is
// claimable yet. Rising means the workers fall behind. (A count of the tasks due now would
// need a store query that does not exist yet.)
std::string RenderTaskBacklog(std::optional<TimeMs> next_wake_up, TimeMs now);
// slipway_tasks_claimable: Store::CountClaimableTasks at scrape time.
std::string RenderClaimableTasks(int64_t claimable);
// slipway_recent_step_duration_seconds (summary: p50, p99, sum, count) and
// slipway_recent_step_retries (attempts beyond the first), by workflow type and step, over the
// given samples; `window` (workflows per status) is named in the HELP text.
std::string RenderStepSamples(const std::vector<engine::StepSample>& samples, int window);
// slipway_recent_llm_{input_tokens,output_tokens,cost_usd}: sums of the `llm` field of the
// results of the given (recently completed) workflows; results without one add nothing.
std::string RenderLlmUsage(const std::vector<storage::Instance>& completed);
// A label value escaped for the exposition format (backslash, quote, newline).
std::string EscapeLabel(const std::string& value);

}  // namespace slipway::http
