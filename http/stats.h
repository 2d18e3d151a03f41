// http/stats.h: the plan's success metrics over a window of workflows (GET /v1/stats and the
// slipway_stats_* gauges of /metrics): onboarding, deployment and validation durations
// (p50/p95 against the plan's targets), deployment success rate, validation catch rate,
// auto-fix success rate, and LLM usage per tenant and in total, failed workflows included.
//
// A pure function of the stored instances (their status, times, step views and step outputs
// in the context), so that it is tested without a server. It reads the deployment's recorded
// outputs: validate.passed (false: the build found errors), revalidate.passed (true: a fix
// worked) and autofix.llm_total.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/base/clock.h"
#include "storage/store.h"

namespace slipway::http {

// The plan's targets, reported next to the figures.
struct StatsTargets {
  int64_t onboarding_s = 300;      // under 5 minutes
  int64_t deployment_s = 180;      // under 3 minutes
  int64_t validation_s = 120;      // under 2 minutes
  double deployment_success = 0.95;
  double autofix_success_low = 0.70;
  double autofix_success_high = 0.80;
};

// The figures for the workflows created in [from, to) (`workflows`, any order). Durations and
// rates count ended workflows only (completed, failed, cancelled); running ones are counted
// as in_flight. A rate whose denominator is 0 is null.
nlohmann::json ComputeStats(const std::vector<storage::Instance>& workflows, TimeMs from,
                            TimeMs to, const StatsTargets& targets = {});

// The same figures as Prometheus gauges (slipway_stats_*{window="..."}), from ComputeStats'
// output; tenants are left out (the JSON has them) to keep the label set small.
std::string RenderStats(const nlohmann::json& stats, const std::string& window);

// The LLM budgets' state (activities/llm_budget.h State()) as gauges: today's spend and its
// limit (fleet), tenants whose day's budget is spent, calls in the last minute.
std::string RenderLlmBudget(const nlohmann::json& state);

}  // namespace slipway::http
