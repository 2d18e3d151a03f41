// engine/testing/upgrade_workflow.h: two versions of one workflow type, for upgrade tests
// (engine/engine_versions_test.cc, tests/crash/upgrade_crash_test.cc).
//
// "upgrade" v1: prepare -> pause (a durable timer of pause_ms) -> finish_v1 -> done.
// "upgrade" v2: prepare -> pause -> finish_v2 -> notify_v2 -> done.
// Every activity step runs `activity`. Both are real Boost.MSM tables (engine/msm_machine.h).
#pragma once

#include <cstdint>
#include <string>

#include "engine/workflow_type.h"

namespace slipway::engine::testing {

WorkflowType UpgradeType(int version, const std::string& activity, const RetryPolicy& retry,
                         int64_t pause_ms);

}  // namespace slipway::engine::testing
