// http/stream_handler.cc: GET /v1/workflows/{id}/stream: Server-Sent Events, one per history
// event ("id: <seq>", "event: <type>", "data: <event JSON>"), starting after Last-Event-ID
// (or ?after=), ending once the workflow is final and every event was sent.
//
// The loop reads the history and sleeps in Engine::WaitForChange between batches; it stops
// early on shutdown and sends a comment line now and then so that a vanished client is
// noticed (the write fails and ends the handler).
#include <algorithm>

#include "engine/transition.h"
#include "http/errors.h"
#include "http/handlers.h"
#include "http/views.h"

namespace slipway::http {

namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr int kBatch = 200;

Result<int64_t> ResumeAfter(const Exchange& ex) {
  Result<Query> q = ParseQuery(ex.req.getURI(), {"after"});
  if (!q.ok()) return q.status();
  if (ex.req.has("Last-Event-ID")) {
    Query header = {{"Last-Event-ID", ex.req.get("Last-Event-ID")}};
    return IntParam(header, "Last-Event-ID", 0, 0, INT64_MAX);
  }
  return IntParam(*q, "after", 0, 0, INT64_MAX);
}

void WriteEvent(std::ostream& out, const storage::HistoryEvent& e) {
  out << "id: " << e.seq << "\nevent: " << e.type << "\ndata: " << DumpJson(EventJson(e)) << "\n\n";
}

// Streams until the workflow is final or the server stops; Status only for a failed read.
Status Pump(ApiServices& s, const std::string& id, int64_t after, std::ostream& out) {
  auto last_write = steady_clock::now();
  while (!s.stopping.load()) {
    Result<engine::Workflow> wf = s.engine.Get(id);
    if (!wf.ok()) return wf.status();
    Result<std::vector<storage::HistoryEvent>> events = s.engine.History(id, after, kBatch);
    if (!events.ok()) return events.status();
    for (const auto& e : *events) WriteEvent(out, e);
    if (!events->empty()) {
      after = events->back().seq;
      out.flush();
      last_write = steady_clock::now();
    }
    if (!out.good()) return Status::Ok();  // the client went away
    if (static_cast<int>(events->size()) == kBatch) continue;
    if (engine::status::IsFinal(wf->instance.status) && after >= wf->instance.last_seq) break;
    if (steady_clock::now() - last_write >= s.options.stream_heartbeat) {
      out << ": keep-alive\n\n";
      out.flush();
      last_write = steady_clock::now();
    }
    Result<engine::Workflow> changed =
        s.engine.WaitForChange(id, wf->instance.version, s.options.wait_slice);
    if (!changed.ok()) return changed.status();
  }
  return Status::Ok();
}

}  // namespace

void HandleStream(ApiServices& s, Exchange& ex) {
  Result<int64_t> after = ResumeAfter(ex);
  if (!after.ok()) return WriteError(ex.resp, after.status());
  Result<engine::Workflow> wf = GetVisible(s, ex, ex.params[0]);
  if (!wf.ok()) return WriteError(ex.resp, wf.status());
  WaiterSlot slot(s, ex.principal);
  if (!slot.status().ok()) return WriteError(ex.resp, slot.status());
  SetStatus(ex.resp, 200);
  ex.resp.setContentType("text/event-stream");
  ex.resp.set("Cache-Control", "no-cache");
  ex.resp.setChunkedTransferEncoding(true);
  std::ostream& out = ex.resp.send();
  Status st = Pump(s, ex.params[0], *after, out);
  if (!st.ok() && out.good()) {
    // The status line is gone; say so in-band and end the stream.
    out << "event: error\ndata: " << DumpJson({{"code", ErrorFor(st).code}}) << "\n\n";
  }
  out.flush();
}

}  // namespace slipway::http
