// activities/llm_budget.cc: see llm_budget.h.
#include "activities/llm_budget.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace slipway::activities {

using nlohmann::json;

namespace {

constexpr int64_t kDayMs = 24LL * 3600 * 1000;
constexpr int64_t kMinuteMs = 60'000;

std::string Dollars(double usd) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "$%.2f", usd);
  return buf;
}

bool Spent(double spend, double limit) { return limit > 0 && spend >= limit; }

}  // namespace

LlmBudget::LlmBudget(LlmBudgetLimits limits, Clock* clock, SpendLoader loader, int64_t refresh_ms)
    : limits_(limits), clock_(clock), loader_(std::move(loader)), refresh_ms_(refresh_ms) {}

void LlmBudget::RollDayLocked(TimeMs now) {
  const TimeMs day = now - now % kDayMs;
  if (day == day_start_ms_) return;
  day_start_ms_ = day;
  stored_ = {};
  local_ = {};
  read_at_ms_ = -1;
}

void LlmBudget::RefreshLocked(TimeMs now) {
  if (!loader_ || (read_at_ms_ >= 0 && now - read_at_ms_ < refresh_ms_)) return;
  Result<LlmSpend> spend = loader_(day_start_ms_);
  read_at_ms_ = now;  // a failed reading is not retried on every call
  if (!spend.ok()) return;  // keep counting on the last reading plus this node's calls
  stored_ = std::move(*spend);
  local_ = {};
}

void LlmBudget::TrimLocked(TimeMs now) {
  while (!calls_.empty() && calls_.front().first <= now - kMinuteMs) calls_.pop_front();
}

double LlmBudget::TenantSpendLocked(const std::string& tenant) const {
  double spend = 0;
  if (auto it = stored_.by_tenant.find(tenant); it != stored_.by_tenant.end()) spend += it->second;
  if (auto it = local_.by_tenant.find(tenant); it != local_.by_tenant.end()) spend += it->second;
  return spend;
}

double LlmBudget::TotalSpendLocked() const { return stored_.total + local_.total; }

Status LlmBudget::Acquire(const std::string& tenant) {
  std::lock_guard<std::mutex> lock(mu_);
  const TimeMs now = clock_->NowMs();
  RollDayLocked(now);
  RefreshLocked(now);
  const std::string resets = " (resets at 00:00 UTC)";
  if (Spent(TotalSpendLocked(), limits_.fleet_usd_per_day)) {
    return ResourceExhausted("LLM budget exhausted: the fleet's " +
                             Dollars(limits_.fleet_usd_per_day) + " a day is spent" + resets);
  }
  if (Spent(TenantSpendLocked(tenant), limits_.tenant_usd_per_day)) {
    return ResourceExhausted("LLM budget exhausted: this tenant's " +
                             Dollars(limits_.tenant_usd_per_day) + " a day is spent" + resets);
  }
  TrimLocked(now);
  int64_t tenant_calls = 0;
  TimeMs tenant_oldest = now;
  for (const auto& [at, who] : calls_) {
    if (who != tenant) continue;
    if (tenant_calls++ == 0) tenant_oldest = at;
  }
  if (limits_.fleet_calls_per_minute > 0 &&
      static_cast<int64_t>(calls_.size()) >= limits_.fleet_calls_per_minute) {
    return Unavailable("LLM call rate: " + std::to_string(limits_.fleet_calls_per_minute) +
                       " calls a minute for all tenants")
        .WithRetryAfter(calls_.front().first + kMinuteMs - now);
  }
  if (limits_.tenant_calls_per_minute > 0 && tenant_calls >= limits_.tenant_calls_per_minute) {
    return Unavailable("LLM call rate: " + std::to_string(limits_.tenant_calls_per_minute) +
                       " calls a minute for this tenant")
        .WithRetryAfter(tenant_oldest + kMinuteMs - now);
  }
  calls_.emplace_back(now, tenant);
  return Status();
}

void LlmBudget::Record(const std::string& tenant, double usd) {
  if (!(usd > 0) || !std::isfinite(usd)) return;
  std::lock_guard<std::mutex> lock(mu_);
  RollDayLocked(clock_->NowMs());
  local_.by_tenant[tenant] += usd;
  local_.total += usd;
}

json LlmBudget::State() {
  std::lock_guard<std::mutex> lock(mu_);
  const TimeMs now = clock_->NowMs();
  RollDayLocked(now);
  RefreshLocked(now);
  TrimLocked(now);
  std::map<std::string, double> spend = stored_.by_tenant;
  for (const auto& [tenant, usd] : local_.by_tenant) spend[tenant] += usd;
  json exhausted = json::array();
  for (const auto& [tenant, usd] : spend) {
    if (Spent(usd, limits_.tenant_usd_per_day)) exhausted.push_back(tenant);
  }
  std::map<std::string, int64_t> calls;
  for (const auto& [at, tenant] : calls_) ++calls[tenant];
  return {{"limits",
           {{"tenant_calls_per_minute", limits_.tenant_calls_per_minute},
            {"fleet_calls_per_minute", limits_.fleet_calls_per_minute},
            {"tenant_usd_per_day", limits_.tenant_usd_per_day},
            {"fleet_usd_per_day", limits_.fleet_usd_per_day}}},
          {"day", FormatRfc3339(day_start_ms_).substr(0, 10)},
          {"spend_usd", {{"total", TotalSpendLocked()}, {"by_tenant", spend}}},
          {"calls_last_minute", {{"total", calls_.size()}, {"by_tenant", calls}}},
          {"exhausted_tenants", exhausted},
          {"fleet_exhausted", Spent(TotalSpendLocked(), limits_.fleet_usd_per_day)}};
}

namespace {

Status ReadNumber(const GetEnvFn& getenv, const std::string& name, double max, double& out) {
  std::optional<std::string> v = getenv(name);
  if (!v || v->empty()) return Status();
  char* end = nullptr;
  const double d = std::strtod(v->c_str(), &end);
  if (end != v->c_str() + v->size() || !std::isfinite(d) || d < 0 || d > max) {
    return InvalidArgument(name, name + " must be a number from 0 to " +
                                     std::to_string(static_cast<int64_t>(max)) +
                                     " (0: no limit)");
  }
  out = d;
  return Status();
}

}  // namespace

Result<LlmBudgetLimits> LlmBudgetLimitsFromEnv(const GetEnvFn& getenv) {
  LlmBudgetLimits l;
  double tenant_rate = l.tenant_calls_per_minute, fleet_rate = l.fleet_calls_per_minute;
  SLIPWAY_RETURN_IF_ERROR(
      ReadNumber(getenv, "SLIPWAY_LLM_TENANT_CALLS_PER_MINUTE", 100'000, tenant_rate));
  SLIPWAY_RETURN_IF_ERROR(
      ReadNumber(getenv, "SLIPWAY_LLM_FLEET_CALLS_PER_MINUTE", 100'000, fleet_rate));
  SLIPWAY_RETURN_IF_ERROR(
      ReadNumber(getenv, "SLIPWAY_LLM_TENANT_USD_PER_DAY", 1e6, l.tenant_usd_per_day));
  SLIPWAY_RETURN_IF_ERROR(
      ReadNumber(getenv, "SLIPWAY_LLM_FLEET_USD_PER_DAY", 1e6, l.fleet_usd_per_day));
  if (tenant_rate != std::floor(tenant_rate)) {
    return InvalidArgument("SLIPWAY_LLM_TENANT_CALLS_PER_MINUTE", "must be a whole number");
  }
  if (fleet_rate != std::floor(fleet_rate)) {
    return InvalidArgument("SLIPWAY_LLM_FLEET_CALLS_PER_MINUTE", "must be a whole number");
  }
  l.tenant_calls_per_minute = static_cast<int>(tenant_rate);
  l.fleet_calls_per_minute = static_cast<int>(fleet_rate);
  return l;
}

}  // namespace slipway::activities
