// http/tenants_handler.cc: GET /v1/tenants (ops and auditors): every tenant's record
// (repository, branches, projects, domains, what serves production, approval policy) with its
// last deployments, newest first (id, status, created_at). The records come from
// HttpApiOptions::tenants (slipwayd: workflows/tenant_records.h); the deployments from the
// engine. At most kMaxTenants tenants ("truncated": true beyond).
#include "http/errors.h"
#include "http/handlers.h"

namespace slipway::http {

namespace {

constexpr size_t kMaxTenants = 1000;
constexpr int kLastDeployments = 5;

Result<nlohmann::json> LastDeployments(engine::Engine& engine, const std::string& tenant) {
  storage::ListQuery q;
  q.tenant = tenant;
  q.type = "deployment";
  q.limit = kLastDeployments;
  Result<storage::ListPage> page = engine.List(q);
  if (!page.ok()) return page.status();
  nlohmann::json out = nlohmann::json::array();
  for (const storage::Instance& w : page->instances) {
    out.push_back({{"id", w.id},
                   {"status", w.status},
                   {"created_at", FormatRfc3339(w.created_at_ms)},
                   {"updated_at", FormatRfc3339(w.updated_at_ms)}});
  }
  return out;
}

}  // namespace

void HandleListTenants(ApiServices& s, Exchange& ex) {
  Result<Query> q = ParseQuery(ex.req.getURI(), {});
  if (!q.ok()) return WriteError(ex.resp, q.status());
  if (!s.options.tenants) return WriteError(ex.resp, NotFound("no tenant records here"));
  Result<nlohmann::json> records = s.options.tenants();
  if (!records.ok()) return WriteError(ex.resp, records.status());
  nlohmann::json tenants = nlohmann::json::array();
  bool truncated = false;
  for (const nlohmann::json& record : *records) {
    if (tenants.size() >= kMaxTenants) {
      truncated = true;
      break;
    }
    nlohmann::json t = record;
    Result<nlohmann::json> last = LastDeployments(s.engine, record.value("tenant", ""));
    if (!last.ok()) return WriteError(ex.resp, last.status());
    t["last_deployments"] = *last;
    tenants.push_back(std::move(t));
  }
  WriteJson(ex.resp, 200, {{"tenants", tenants}, {"truncated", truncated}});
}

}  // namespace slipway::http
