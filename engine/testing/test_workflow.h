// engine/testing/test_workflow.h: workflow types for engine tests, benchmarks and crash tests.
//
// "seven": seven activity steps s1..s7 in a row (the crash test and benchmark workflow).
// "routed": a small deployment-like table that exercises guards, loops, waits and failure
// routing: build -> [passed] publish | [failed] fix -> rebuild -> [passed] publish |
// [failed, round < 2] fix ...; publish -> approval (a wait, "approve"/"reject", timeout) ->
// check -> done; a failed check routes to undo, which ends in the final state "rolled_back".
// Both tables are real Boost.MSM tables built with engine/msm_machine.h.
#pragma once

#include <string>

#include "engine/workflow_type.h"

namespace slipway::engine::testing {

// All steps run `activity`; serialised per tenant (serial group = name) when asked.
WorkflowType SevenStepType(const std::string& name, const std::string& activity,
                           const RetryPolicy& retry, bool serial_per_tenant = false);
WorkflowType RoutedType(const std::string& activity, const RetryPolicy& retry);

}  // namespace slipway::engine::testing
