// http/api_context.cc: helpers shared by handlers: waiter slots, tenant-scoped loads and the
// place of a queued workflow in its serial queue.
#include "http/api_context.h"

#include "engine/transition.h"
#include "http/errors.h"

namespace slipway::http {

bool WaitCounts::TryTake(const std::string& key, int cap) {
  std::lock_guard<std::mutex> lock(mu_);
  int& n = counts_[key];
  if (n >= cap) return false;
  ++n;
  return true;
}

void WaitCounts::Give(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = counts_.find(key);
  if (it != counts_.end() && --it->second <= 0) counts_.erase(it);
}

WaiterSlot::WaiterSlot(ApiServices& s, const Principal& who) : s_(s), key_(who.actor()) {
  // One principal's own cap first: a tenant at its cap is told so, and never takes a slot
  // that other principals' waits need.
  mine_ = s_.principal_waits.TryTake(key_, s_.options.max_waits_per_principal);
  if (!mine_) {
    status_ = TooManyRequests("too many waiting requests for this token (at most " +
                                  std::to_string(s_.options.max_waits_per_principal) + ")",
                              1000);
    s_.metrics.refusals().Count(RefusalReason::kWaitsPerPrincipalCap);
    return;
  }
  const int cap = s.options.max_waiters > 0 ? s.options.max_waiters : s.options.max_threads - 16;
  global_ = true;
  if (s_.waiters.fetch_add(1) >= cap) {
    status_ = TooManyRequests("too many waiting requests", 1000);
    s_.metrics.refusals().Count(RefusalReason::kWaitersCap);
  }
}

WaiterSlot::~WaiterSlot() {
  if (global_) s_.waiters.fetch_sub(1);
  if (mine_) s_.principal_waits.Give(key_);
}

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

Result<std::string> QueuedBehind(ApiServices& s, const storage::Instance& inst,
                                 SerialQueues& queues) {
  if (inst.status != engine::status::kQueued || inst.serial_key.empty()) return std::string();
  auto it = queues.find(inst.serial_key);
  if (it == queues.end()) {
    Result<std::vector<std::string>> queue = s.engine.store().SerialQueue(inst.serial_key);
    if (!queue.ok()) return queue.status();
    it = queues.emplace(inst.serial_key, std::move(*queue)).first;
  }
  const std::vector<std::string>& queue = it->second;
  for (size_t i = 1; i < queue.size(); ++i) {
    if (queue[i] == inst.id) return queue[i - 1];
  }
  return std::string();
}

}  // namespace slipway::http
