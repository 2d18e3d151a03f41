// workflows/template_update_workflow.h: the "template_update" workflow type (ops): pushes a
// template change to tenant repositories and redeploys each, a bounded number at a time.
//
//   plan -> fanout -[children still running]-> children_wait -(timer | "recheck")-> fanout ...
//                  -[every child ended]-> done
//
// Input: template_ref (required: a branch or commit of the template repository), tenants (an
// array of tenant ids, or "all": every onboarded tenant), max_parallel (1-50, default 4),
// max_autofix_rounds (optional, passed to the children). Each tenant gets a child "deployment"
// workflow "<tenant>:<id>" with {template_ref}: its `save` commits the template's files, then it
// validates, fixes, deploys and verifies like any deployment. The parent completes once every
// child has ended, whatever their outcome; its result lists each tenant's outcome and counts.
// Cancelling it cancels the children that have not ended, each before its next step up to
// `deploy` ("parent <id> cancelled" in the child's history; see activities/parent_guard.h).
#pragma once

#include <nlohmann/json.hpp>

#include "engine/workflow_type.h"
#include "workflows/deps.h"

namespace slipway::workflows {

inline constexpr const char* kTemplateUpdateType = "template_update";
inline constexpr const char* kPlanActivity = "template_update.plan";
inline constexpr const char* kFanoutActivity = "template_update.fanout";

engine::WorkflowType TemplateUpdateType(const WorkflowOptions& options);
Status ValidateTemplateUpdateInput(const nlohmann::json& input);

}  // namespace slipway::workflows
