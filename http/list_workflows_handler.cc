// http/list_workflows_handler.cc: GET /v1/workflows?tenant=&status=&type=&created_after=&
// created_before=&limit=&cursor=, newest first. A tenant token's list is always filtered to its
// own tenant. A queued item names the workflow it waits behind ("queued_behind"), read only for
// queued rows, once per serial queue on the page.
#include "engine/transition.h"
#include "http/errors.h"
#include "http/handlers.h"

namespace slipway::http {

using nlohmann::json;

namespace {

bool KnownStatus(const std::string& s) {
  namespace st = engine::status;
  for (const char* known : {st::kQueued, st::kRunning, st::kWaiting, st::kCompleted, st::kFailed,
                            st::kCancelling, st::kCancelled}) {
    if (s == known) return true;
  }
  return false;
}

bool ValidTypeName(const std::string& t) {
  return t.size() <= 64 &&
         t.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") == std::string::npos;
}

Result<storage::ListQuery> ParseList(const Exchange& ex) {
  Result<Query> q = ParseQuery(ex.req.getURI(), {"tenant", "status", "type", "created_after",
                                                 "created_before", "limit", "cursor"});
  if (!q.ok()) return q.status();
  storage::ListQuery lq;
  auto get = [&](const char* name) {
    auto it = q->find(name);
    return it == q->end() ? std::string() : it->second;
  };
  lq.tenant = get("tenant");
  lq.status = get("status");
  lq.type = get("type");
  lq.cursor = get("cursor");
  if (!lq.tenant.empty()) SLIPWAY_RETURN_IF_ERROR(ValidateTenantId(lq.tenant));
  if (!lq.status.empty() && !KnownStatus(lq.status)) {
    return InvalidArgument("status", "unknown status '" + lq.status + "'");
  }
  if (!ValidTypeName(lq.type)) return InvalidArgument("type", "malformed type");
  if (lq.cursor.size() > 256) return InvalidArgument("cursor", "malformed cursor");
  Result<std::optional<TimeMs>> after = TimeParam(*q, "created_after");
  if (!after.ok()) return after.status();
  Result<std::optional<TimeMs>> before = TimeParam(*q, "created_before");
  if (!before.ok()) return before.status();
  if (*after && *before && **before <= **after) {
    return InvalidArgument("created_before", "created_before must be later than created_after");
  }
  lq.created_after_ms = *after;
  lq.created_before_ms = *before;
  Result<int64_t> limit = IntParam(*q, "limit", 50, 1, 500);
  if (!limit.ok()) return limit.status();
  lq.limit = static_cast<int>(*limit);
  return lq;
}

}  // namespace

void HandleListWorkflows(ApiServices& s, Exchange& ex) {
  Result<storage::ListQuery> lq = ParseList(ex);
  if (!lq.ok()) return WriteError(ex.resp, lq.status());
  if (ex.principal.is_tenant()) {
    // Asking for another tenant filters to nothing rather than revealing it.
    if (!lq->tenant.empty() && lq->tenant != ex.principal.tenant) {
      return WriteJson(ex.resp, 200, {{"workflows", json::array()}, {"next_cursor", nullptr}});
    }
    lq->tenant = ex.principal.tenant;
  }
  Result<storage::ListPage> page = s.engine.List(*lq);
  if (!page.ok()) return WriteError(ex.resp, page.status());
  json out = {{"workflows", json::array()}};
  SerialQueues queues;
  for (const auto& inst : page->instances) {
    engine::Workflow w;
    w.instance = inst;
    Result<std::string> behind = QueuedBehind(s, inst, queues);
    if (!behind.ok()) return WriteError(ex.resp, behind.status());
    w.queued_behind = *behind;
    json j = w.ToJson();
    j.erase("steps");  // a list shows instances; their steps are one GET away
    out["workflows"].push_back(j);
  }
  out["next_cursor"] = page->next_cursor.empty() ? json() : json(page->next_cursor);
  WriteJson(ex.resp, 200, out);
}

}  // namespace slipway::http
