// http/history_handler.cc: GET /v1/workflows/{id}/history?after=&limit=: the chained events
// oldest first; next_after is set when more may follow.
#include "http/errors.h"
#include "http/handlers.h"
#include "http/views.h"

namespace slipway::http {

using nlohmann::json;

void HandleHistory(ApiServices& s, Exchange& ex) {
  Result<Query> q = ParseQuery(ex.req.getURI(), {"after", "limit"});
  if (!q.ok()) return WriteError(ex.resp, q.status());
  Result<int64_t> after = IntParam(*q, "after", 0, 0, INT64_MAX);
  if (!after.ok()) return WriteError(ex.resp, after.status());
  Result<int64_t> limit = IntParam(*q, "limit", 100, 1, 1000);
  if (!limit.ok()) return WriteError(ex.resp, limit.status());
  Result<engine::Workflow> wf = GetVisible(s, ex, ex.params[0]);
  if (!wf.ok()) return WriteError(ex.resp, wf.status());
  Result<std::vector<storage::HistoryEvent>> events =
      s.engine.History(ex.params[0], *after, static_cast<int>(*limit));
  if (!events.ok()) return WriteError(ex.resp, events.status());
  json out = {{"events", json::array()}, {"next_after", nullptr}};
  for (const auto& e : *events) out["events"].push_back(EventJson(e));
  if (static_cast<int64_t>(events->size()) == *limit) out["next_after"] = events->back().seq;
  WriteJson(ex.resp, 200, out);
}

}  // namespace slipway::http
