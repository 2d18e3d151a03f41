// http/stats_handler.cc: GET /v1/stats?from=&to= (ops and auditors): the plan's success
// metrics (stats.h) over the workflows created in [from, to). Times are RFC 3339 UTC; `to`
// defaults to now and `from` to 24 hours before `to`; a window is at most 31 days. At most
// kMaxWorkflows newest workflows of the window are counted ("truncated": true beyond).
#include "http/errors.h"
#include "http/handlers.h"
#include "http/stats.h"

namespace slipway::http {

namespace {

constexpr int64_t kDayMs = 24 * 3600 * 1000;
constexpr int64_t kMaxWindowMs = 31 * kDayMs;
constexpr size_t kMaxWorkflows = 100'000;

Result<TimeMs> TimeOr(const Query& q, const char* name, TimeMs fallback) {
  Result<std::optional<TimeMs>> t = TimeParam(q, name);
  if (!t.ok()) return t.status();
  return t->value_or(fallback);
}

}  // namespace

Result<nlohmann::json> StatsOver(engine::Engine& engine, TimeMs from, TimeMs to,
                                 size_t max_workflows) {
  bool truncated = false;
  Result<std::vector<storage::Instance>> in = engine.CreatedBetween(from, to, max_workflows,
                                                                   truncated);
  if (!in.ok()) return in.status();
  nlohmann::json stats = ComputeStats(*in, from, to);
  stats["truncated"] = truncated;
  return stats;
}

void HandleStats(ApiServices& s, Exchange& ex) {
  Result<Query> q = ParseQuery(ex.req.getURI(), {"from", "to"});
  if (!q.ok()) return WriteError(ex.resp, q.status());
  // Without `to`, everything created up to now (inclusive) counts.
  Result<TimeMs> to = TimeOr(*q, "to", s.engine.clock().NowMs() + 1);
  if (!to.ok()) return WriteError(ex.resp, to.status());
  Result<TimeMs> from = TimeOr(*q, "from", *to - kDayMs);
  if (!from.ok()) return WriteError(ex.resp, from.status());
  if (*from >= *to) return WriteError(ex.resp, InvalidArgument("from", "from must be before to"));
  if (*to - *from > kMaxWindowMs) {
    return WriteError(ex.resp, InvalidArgument("from", "a window is at most 31 days"));
  }
  Result<nlohmann::json> stats = StatsOver(s.engine, *from, *to, kMaxWorkflows);
  if (!stats.ok()) return WriteError(ex.resp, stats.status());
  if (s.options.llm_budget_state) (*stats)["llm_budget"] = s.options.llm_budget_state();
  WriteJson(ex.resp, 200, *stats);
}

}  // namespace slipway::http
