// workflows/activities/fanout_activity.h: the template update's steps. PlanActivity (`plan`)
// fixes the list of tenants (input.tenants, or every indexed tenant for "all") once, in its
// output. FanoutActivity (`fanout`) starts a deployment workflow per tenant as a child and
// reports where every child stands; it never blocks: the table re-runs it after a durable wait
// until every child has ended.
//
// Children get deterministic ids "<tenant>:<parent id>" (in the tenant's namespace, with a
// second ':' that no client id may contain: engine/base/ids.h) and the same input every time
// ({"template_ref", "parent_id"}), and Engine::Start is idempotent on the id, so a repeated or resumed fan-out
// (after a crash too) finds the children it started instead of starting them again. A workflow
// found under a child id that is not a deployment of that tenant with input.parent_id = this
// update is not taken for the child: that tenant's outcome is `failed` with an error saying
// so (a tenant cannot squat on it: tenant tokens may not set parent_id). At most
// input.max_parallel children are active (not ended) at once; a child that fails is reported
// and does not stop the others. Output: done, active, counts {completed, failed, cancelled,
// running, pending}, tenants [{tenant, id, status, deployment_id, error}] in plan order.
// Cancelling the parent cancels its children that have not ended (ParentCancelGuard in
// parent_guard.h); no child is started after that.
// The Engine must outlive the activity; it is called from the activity's worker thread.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "engine/activity.h"
#include "engine/engine.h"
#include "workflows/tenant_records.h"

namespace slipway::workflows {

class PlanActivity : public engine::Activity {
 public:
  explicit PlanActivity(TenantRecords& tenants) : tenants_(tenants) {}
  Result<nlohmann::json> Run(const engine::ActivityCall& call) override;

 private:
  TenantRecords& tenants_;
};

class FanoutActivity : public engine::Activity {
 public:
  explicit FanoutActivity(engine::Engine& engine) : engine_(engine) {}
  Result<nlohmann::json> Run(const engine::ActivityCall& call) override;

 private:
  engine::Engine& engine_;
};

// "<tenant>:<parent id>".
std::string ChildId(const std::string& parent_id, const std::string& tenant);

}  // namespace slipway::workflows
