// http/tenants_handler.cc: GET /v1/tenants (ops and auditors): every tenant's record
// (repository, branches, projects, domains, what serves production, approval policy) with its
// last deployments, newest first (id, status, created_at). The records come from
// HttpApiOptions::tenants (slipwayd: workflows/tenant_records.h); the deployments from the
// engine. A page holds `limit` tenants (at most and by default kMaxTenants); when more follow,
// "truncated" is true and "next_after" names the page's last tenant: `?after=` it continues
// (records are kept in onboarding order and only appended, so the position is stable).
#include <algorithm>

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
  Result<Query> q = ParseQuery(ex.req.getURI(), {"limit", "after"});
  if (!q.ok()) return WriteError(ex.resp, q.status());
  Result<int64_t> limit = IntParam(*q, "limit", kMaxTenants, 1, kMaxTenants);
  if (!limit.ok()) return WriteError(ex.resp, limit.status());
  if (!s.options.tenants) return WriteError(ex.resp, NotFound("no tenant records here"));
  Result<nlohmann::json> records = s.options.tenants();
  if (!records.ok()) return WriteError(ex.resp, records.status());
  auto from = records->begin();
  if (auto after = q->find("after"); after != q->end()) {
    from = std::find_if(records->begin(), records->end(), [&](const nlohmann::json& r) {
      return r.value("tenant", "") == after->second;
    });
    if (from == records->end()) {
      return WriteError(ex.resp, InvalidArgument("after", "no tenant " + after->second));
    }
    ++from;
  }
  nlohmann::json tenants = nlohmann::json::array();
  for (; from != records->end() && tenants.size() < static_cast<size_t>(*limit); ++from) {
    nlohmann::json t = *from;
    Result<nlohmann::json> last = LastDeployments(s.engine, from->value("tenant", ""));
    if (!last.ok()) return WriteError(ex.resp, last.status());
    t["last_deployments"] = *last;
    tenants.push_back(std::move(t));
  }
  const bool truncated = from != records->end();
  nlohmann::json body = {{"tenants", tenants}, {"truncated", truncated}};
  if (truncated) body["next_after"] = tenants.back().value("tenant", "");
  WriteJson(ex.resp, 200, body);
}

}  // namespace slipway::http
