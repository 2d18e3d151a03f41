// http/console_handler.cc: GET / (the console's page) and GET /console/{file} (its scripts,
// styles and icon), from the files embedded in the binary (console.h); GET /v1/whoami (who the
// console's token is, so that it shows only the actions the role may use).
//
// The console routes are public: the files are the same for everyone and hold no data. Every
// answer carries the console's Content-Security-Policy, so that even a page that rendered
// hostile data as markup could not run it.
#include "http/console.h"

#include "http/errors.h"
#include "http/handlers.h"

namespace slipway::http {

const ConsoleFile* FindConsoleFile(const std::string& name) {
  for (const ConsoleFile& f : ConsoleFiles()) {
    if (name == f.name) return &f;
  }
  return nullptr;
}

namespace {

void SetConsoleHeaders(Poco::Net::HTTPServerResponse& resp) {
  resp.set("Content-Security-Policy", kConsoleCsp);
  resp.set("X-Content-Type-Options", "nosniff");
  resp.set("Referrer-Policy", "no-referrer");
  resp.set("X-Frame-Options", "DENY");
  // Small files: always revalidate, so a new binary's console is used at once.
  resp.set("Cache-Control", "no-cache");
}

void ServeFile(Exchange& ex, const std::string& name) {
  SetConsoleHeaders(ex.resp);
  const ConsoleFile* f = FindConsoleFile(name);
  if (f == nullptr) return WriteError(ex.resp, NotFound("no such console file"));
  SetStatus(ex.resp, 200);
  ex.resp.setContentType(f->content_type);
  ex.resp.sendBuffer(f->data, f->size);  // whole: never blocks an event loop
}

}  // namespace

void HandleConsoleIndex(ApiServices&, Exchange& ex) { ServeFile(ex, "index.html"); }

void HandleConsoleFile(ApiServices&, Exchange& ex) { ServeFile(ex, ex.params[0]); }

void HandleWhoAmI(ApiServices&, Exchange& ex) {
  const Principal& p = ex.principal;
  WriteJson(ex.resp, 200,
            {{"name", p.name},
             {"role", p.role},
             {"tenant", p.is_tenant() ? nlohmann::json(p.tenant) : nlohmann::json()},
             {"actor", p.actor()}});
}

}  // namespace slipway::http
