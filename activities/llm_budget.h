// activities/llm_budget.h: limits on LLM calls by rate and by spend, per tenant and fleet-wide.
//
// Before an auto-fix asks the model, it calls Acquire(tenant):
//   - rate (calls per minute, a sliding 60 s window, per tenant and for all tenants): over the
//     limit, kUnavailable with retry_after_ms = when the oldest call in the window leaves it
//     (the step's retry policy waits and tries again; a call is only delayed);
//   - spend (US dollars per UTC day, per tenant and in total): spent, kResourceExhausted
//     "LLM budget exhausted: …" (auto-fix is skipped; the caller shows the parsed errors).
// After a call, Record(tenant, usd) adds its cost. 0 in a limit means "no limit".
//
// Across nodes: spend is the fleet's, as recorded in the store. A SpendLoader (slipwayd reads
// the LLM usage of the workflows created since 00:00 UTC from the engine) is asked at most once
// per refresh interval; between readings this node adds its own calls on top. Calls in flight on
// other nodes at a reading are counted at the next one. Rates are this node's.
// Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "activities/service_config.h"
#include "engine/base/clock.h"
#include "engine/base/status.h"

namespace slipway::activities {

struct LlmBudgetLimits {
  int tenant_calls_per_minute = 10;
  int fleet_calls_per_minute = 120;
  double tenant_usd_per_day = 20.0;
  double fleet_usd_per_day = 500.0;
};

// Spend since `day_start_ms` (00:00 UTC of the current day) by tenant, from the store.
struct LlmSpend {
  std::map<std::string, double> by_tenant;
  double total = 0;
};
using SpendLoader = std::function<Result<LlmSpend>(TimeMs day_start_ms)>;

class LlmBudget {
 public:
  // `loader` may be empty (this process's calls only). `clock` must outlive the budget.
  LlmBudget(LlmBudgetLimits limits, Clock* clock, SpendLoader loader = {},
            int64_t refresh_ms = 60'000);

  Status Acquire(const std::string& tenant);
  void Record(const std::string& tenant, double usd);

  // {limits, day, spend {total, by_tenant}, calls_last_minute {total, by_tenant},
  //  exhausted: [tenants whose day's spend is used up], fleet_exhausted}
  nlohmann::json State();

  const LlmBudgetLimits& limits() const { return limits_; }

 private:
  void RollDayLocked(TimeMs now);
  void RefreshLocked(TimeMs now);
  void TrimLocked(TimeMs now);
  double TenantSpendLocked(const std::string& tenant) const;
  double TotalSpendLocked() const;

  const LlmBudgetLimits limits_;
  Clock* const clock_;
  const SpendLoader loader_;
  const int64_t refresh_ms_;

  std::mutex mu_;
  TimeMs day_start_ms_ = -1;
  TimeMs read_at_ms_ = -1;       // last loader reading (-1: none yet)
  LlmSpend stored_;              // at the last reading
  LlmSpend local_;               // this node's calls since the last reading
  std::deque<std::pair<TimeMs, std::string>> calls_;  // the last minute's calls
};

// Reads SLIPWAY_LLM_TENANT_CALLS_PER_MINUTE, SLIPWAY_LLM_FLEET_CALLS_PER_MINUTE (integers
// 0..100000), SLIPWAY_LLM_TENANT_USD_PER_DAY, SLIPWAY_LLM_FLEET_USD_PER_DAY (dollars 0..1e6);
// unset: the defaults above; 0: no limit. kInvalidArgument naming the variable otherwise.
Result<LlmBudgetLimits> LlmBudgetLimitsFromEnv(const GetEnvFn& getenv);

}  // namespace slipway::activities
