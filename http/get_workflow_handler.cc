// http/get_workflow_handler.cc: GET /v1/workflows/{id}, with ETag / If-None-Match (304) and
// ?wait=N long polls that answer as soon as the version moves past the one the client knows
// (its If-None-Match, else the current one), or after N seconds unchanged.
//
// The hot path of status polling: a plain GET reads the instance's head (Store::LoadHead:
// from memory while the workflow has not changed), answers 304 to a matching If-None-Match,
// and else sends the body rendered for that version (and, if queued, that place in the queue)
// from the BodyCache; only what was not seen yet is rendered through the engine.
#include <algorithm>
#include <memory>

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

namespace {

void Reply(Exchange& ex, const std::string& if_none_match, int64_t version,
           const std::shared_ptr<const std::string>& body) {
  ex.resp.set("ETag", ETagFor(version));
  ex.resp.set("Cache-Control", "no-cache");
  if (!if_none_match.empty() && IfNoneMatchMatches(if_none_match, version)) {
    SetStatus(ex.resp, 304);
    ex.resp.sendBuffer(nullptr, 0);  // whole: never blocks an event loop
    return;
  }
  WriteJsonText(ex.resp, 200, *body);
}

// The body of a loaded workflow, from the cache or rendered (and cached).
std::shared_ptr<const std::string> BodyOf(ApiServices& s, const engine::Workflow& wf) {
  const storage::Instance& inst = wf.instance;
  if (auto cached = s.bodies.Find(inst.id, inst.version, wf.queued_behind)) return cached;
  auto body = std::make_shared<const std::string>(DumpJson(WorkflowJson(wf)));
  s.bodies.Put(inst.id, inst.version, wf.queued_behind, body);
  return body;
}

void HandleWait(ApiServices& s, Exchange& ex, int64_t wait_s, const std::string& if_none_match) {
  Result<engine::Workflow> wf = GetVisible(s, ex, ex.params[0]);
  if (!wf.ok()) return WriteError(ex.resp, wf.status());
  WaiterSlot slot(s, ex.principal);
  if (!slot.status().ok()) return WriteError(ex.resp, slot.status());
  const int64_t known = IfNoneMatchVersion(if_none_match).value_or(wf->instance.version);
  wf = WaitPast(s, ex.params[0], known, *wf, wait_s);
  if (!wf.ok()) return WriteError(ex.resp, wf.status());
  Reply(ex, if_none_match, wf->instance.version, BodyOf(s, *wf));
}

}  // namespace

void HandleGetWorkflow(ApiServices& s, Exchange& ex) {
  Result<Query> q = ParseQuery(ex.req.getURI(), {"wait"});
  if (!q.ok()) return WriteError(ex.resp, q.status());
  Result<int64_t> wait_s = IntParam(*q, "wait", 0, 0, s.options.max_wait_s);
  if (!wait_s.ok()) return WriteError(ex.resp, wait_s.status());
  const std::string if_none_match = ex.req.get("If-None-Match", "");
  if (*wait_s > 0) return HandleWait(s, ex, *wait_s, if_none_match);

  Result<storage::Instance> inst = LoadVisibleInstance(s, ex, ex.params[0]);
  if (!inst.ok()) return WriteError(ex.resp, inst.status());
  if (!if_none_match.empty() && IfNoneMatchMatches(if_none_match, inst->version)) {
    return Reply(ex, if_none_match, inst->version, nullptr);
  }
  SerialQueues queues;
  Result<std::string> behind = QueuedBehind(s, *inst, queues);
  if (!behind.ok()) return WriteError(ex.resp, behind.status());
  if (auto cached = s.bodies.Find(inst->id, inst->version, *behind)) {
    return Reply(ex, if_none_match, inst->version, cached);
  }
  // Not rendered yet: the engine loads it again (it may have moved on meanwhile).
  Result<engine::Workflow> wf = s.engine.Get(inst->id);
  if (!wf.ok()) return WriteError(ex.resp, wf.status());
  Reply(ex, if_none_match, wf->instance.version, BodyOf(s, *wf));
}

}  // namespace slipway::http
