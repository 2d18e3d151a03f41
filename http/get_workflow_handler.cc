// http/get_workflow_handler.cc: GET /v1/workflows/{id}, with ETag / If-None-Match (304) and
// ?wait=N long polls that answer as soon as the version moves past the one the client knows
// (its If-None-Match, else the current one), or after N seconds unchanged.
#include <algorithm>

#include "http/errors.h"
#include "http/handlers.h"
#include "http/views.h"

namespace slipway::http {

namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// Waits in slices so that a shutdown ends the wait early; each slice is one engine call.
Result<engine::Workflow> WaitPast(ApiServices& s, const std::string& id, int64_t known,
                                  engine::Workflow current, int64_t wait_s) {
  const auto deadline = steady_clock::now() + std::chrono::seconds(wait_s);
  while (current.instance.version == known && !s.stopping.load()) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - steady_clock::now());
    if (left.count() <= 0) break;
    Result<engine::Workflow> next =
        s.engine.WaitForChange(id, known, std::min(left, s.options.wait_slice));
    if (!next.ok()) return next.status();
    current = *next;
  }
  return current;
}

}  // namespace

void HandleGetWorkflow(ApiServices& s, Exchange& ex) {
  Result<Query> q = ParseQuery(ex.req.getURI(), {"wait"});
  if (!q.ok()) return WriteError(ex.resp, q.status());
  Result<int64_t> wait_s = IntParam(*q, "wait", 0, 0, s.options.max_wait_s);
  if (!wait_s.ok()) return WriteError(ex.resp, wait_s.status());
  Result<engine::Workflow> wf = GetVisible(s, ex, ex.params[0]);
  if (!wf.ok()) return WriteError(ex.resp, wf.status());
  const std::string if_none_match = ex.req.get("If-None-Match", "");
  if (*wait_s > 0) {
    WaiterSlot slot(s);
    if (!slot.ok()) return WriteError(ex.resp, TooManyRequests("too many waiting requests", 1000));
    const int64_t known = IfNoneMatchVersion(if_none_match).value_or(wf->instance.version);
    wf = WaitPast(s, ex.params[0], known, *wf, *wait_s);
    if (!wf.ok()) return WriteError(ex.resp, wf.status());
  }
  ex.resp.set("ETag", ETagFor(wf->instance.version));
  ex.resp.set("Cache-Control", "no-cache");
  if (!if_none_match.empty() && IfNoneMatchMatches(if_none_match, wf->instance.version)) {
    SetStatus(ex.resp, 304);
    ex.resp.setContentLength(0);
    ex.resp.send();
    return;
  }
  WriteJson(ex.resp, 200, wf->ToJson());
}

}  // namespace slipway::http
