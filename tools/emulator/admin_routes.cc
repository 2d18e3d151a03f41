// tools/emulator/admin_routes.cc: /_admin/ endpoints for tests and operators (no auth; the
// emulator listens on loopback only).
#include "tools/emulator/emulator_state.h"
#include "tools/emulator/webhooks.h"

namespace slipway::emulator {

EmuResponse HandleAdmin(EmulatorState& s, const EmuRequest& req) {
  std::vector<std::string> seg = SplitPath(req.path);
  std::vector<std::string> c;
  if (std::optional<EmuResponse> w = HandleWebhookAdmin(s, req)) return *w;
  if (req.method == "GET" && MatchRoute(seg, {"_admin", "health"}, &c)) {
    return Json(200, {{"ok", true}});
  }
  if (req.method == "GET" && MatchRoute(seg, {"_admin", "log"}, &c)) {
    EmuResponse r;
    r.body = s.log.ToJsonLines();
    r.content_type = "application/x-ndjson";
    return r;
  }
  if (MatchRoute(seg, {"_admin", "faults"}, &c)) {
    if (req.method == "DELETE") {
      s.faults.Clear();
      return Json(200, {{"ok", true}});
    }
    if (req.method == "POST") {
      Status st = s.faults.Configure(req.body);
      if (!st.ok()) return Json(400, {{"error", {{"code", "bad_request"}, {"message", st.message()}}}});
      return Json(200, {{"ok", true}});
    }
  }
  if (req.method == "GET" && MatchRoute(seg, {"_admin", "mail"}, &c)) {
    nlohmann::json list = nlohmann::json::array();
    for (const Mail& m : s.mails) list.push_back({{"from", m.from}, {"to", m.to}, {"data", m.data}});
    return Json(200, list);
  }
  if (req.method == "POST" && MatchRoute(seg, {"_admin", "domains", "*", "verify"}, &c)) {
    Domain* d = s.vercel.FindDomain(c[0]);
    if (d == nullptr) return Json(404, {{"error", {{"code", "not_found"}, {"message", "no such domain"}}}});
    d->verified = true;
    return Json(200, DomainJson(*d));
  }
  return Json(404, {{"error", {{"code", "not_found"}, {"message", "unknown admin path"}}}});
}

}  // namespace slipway::emulator
