// workflows/activities/parent_guard.h: ends a child workflow whose parent was cancelled.
//
// A template update starts its deployments as children, with input.parent_id naming the
// parent. The engine's Cancel does not reach children (it knows no parent links), so every
// deployment activity is wrapped in a ParentCancelGuard: before the step runs, the guard looks
// at the parent; when it is `cancelling` or `cancelled`, the guard cancels its own workflow
// through Engine::Cancel (actor "workflow:<parent>", reason "parent <parent> cancelled", both in
// the history's cancel_requested event) and returns kCancelled instead of running the step. So
// after a parent is cancelled, each child ends `cancelled` at its next step: a running child
// when its current step ends (or its next retry is due), a queued child as soon as its turn
// comes. No step of a child starts after its parent was cancelled.
//
// Workflows without input.parent_id run unchanged. A parent that cannot be read for a retryable
// reason fails the attempt retryably; a parent that does not exist is ignored. The inner
// activity and the Engine must outlive the guard. Thread-safe if the inner activity is.
#pragma once

#include <nlohmann/json.hpp>

#include "engine/activity.h"
#include "engine/engine.h"

namespace slipway::workflows {

inline constexpr const char* kParentIdKey = "parent_id";

class ParentCancelGuard : public engine::Activity {
 public:
  ParentCancelGuard(engine::Activity& inner, engine::Engine& engine)
      : inner_(inner), engine_(engine) {}
  Result<nlohmann::json> Run(const engine::ActivityCall& call) override;

 private:
  engine::Activity& inner_;
  engine::Engine& engine_;
};

// The reason recorded when a child is cancelled because its parent was.
std::string ParentCancelledReason(const std::string& parent_id);

}  // namespace slipway::workflows
