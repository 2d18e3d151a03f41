// http/api_context.cc: helpers shared by handlers: waiter slots and tenant-scoped loads.
#include "http/api_context.h"

namespace slipway::http {

WaiterSlot::WaiterSlot(ApiServices& s) : s_(s) {
  const int cap = s.options.max_waiters > 0 ? s.options.max_waiters : s.options.max_threads - 16;
  ok_ = s_.waiters.fetch_add(1) < cap;
}

WaiterSlot::~WaiterSlot() { s_.waiters.fetch_sub(1); }

Result<storage::Instance> LoadVisibleInstance(ApiServices& s, const Exchange& ex,
                                              const std::string& id) {
  Status valid = ValidateWorkflowId(id);
  if (!valid.ok()) return valid;
  // The small fields only: enough to authorise and to find a cached rendering; Engine::Get
  // reads the rest when the caller has to render.
  Result<storage::Instance> inst = s.engine.store().LoadHead(id);
  if (!inst.ok()) return inst.status();
  Status scoped = CheckTenant(ex.principal, inst->tenant);
  if (!scoped.ok()) return scoped;
  return inst;
}

Result<engine::Workflow> GetVisible(ApiServices& s, const Exchange& ex, const std::string& id) {
  Status valid = ValidateWorkflowId(id);
  if (!valid.ok()) return valid;
  Result<engine::Workflow> w = s.engine.Get(id);
  if (!w.ok()) return w.status();
  Status scoped = CheckTenant(ex.principal, w->instance.tenant);
  if (!scoped.ok()) return scoped;
  return w;
}

}  // namespace slipway::http
