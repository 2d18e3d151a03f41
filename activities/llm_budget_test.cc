// activities/llm_budget_test.cc: rates delay, spent budgets refuse, the day rolls over, the
// fleet's stored spend counts, and the settings are checked.
#include "activities/llm_budget.h"

#include <gtest/gtest.h>

#include <map>

namespace slipway::activities {
namespace {

using namespace std::chrono_literals;

LlmBudgetLimits Limits(int tenant_rate, int fleet_rate, double tenant_usd, double fleet_usd) {
  LlmBudgetLimits l;
  l.tenant_calls_per_minute = tenant_rate;
  l.fleet_calls_per_minute = fleet_rate;
  l.tenant_usd_per_day = tenant_usd;
  l.fleet_usd_per_day = fleet_usd;
  return l;
}

TEST(LlmBudgetTest, ATenantOverItsRateWaitsForTheOldestCallToLeaveTheMinute) {
  FakeClock clock;
  LlmBudget budget(Limits(2, 0, 0, 0), &clock);
  ASSERT_TRUE(budget.Acquire("acme").ok());
  clock.Advance(10s);
  ASSERT_TRUE(budget.Acquire("acme").ok());
  Status third = budget.Acquire("acme");
  EXPECT_EQ(third.code(), Code::kUnavailable);
  EXPECT_EQ(third.retry_after_ms(), 50'000);
  EXPECT_TRUE(budget.Acquire("globex").ok()) << "another tenant has its own rate";
  clock.Advance(50s);
  EXPECT_TRUE(budget.Acquire("acme").ok());
}

TEST(LlmBudgetTest, TheFleetRateCountsEveryTenant) {
  FakeClock clock;
  LlmBudget budget(Limits(0, 3, 0, 0), &clock);
  for (const char* t : {"a", "b", "c"}) ASSERT_TRUE(budget.Acquire(t).ok());
  Status fourth = budget.Acquire("d");
  EXPECT_EQ(fourth.code(), Code::kUnavailable);
  EXPECT_NE(fourth.message().find("all tenants"), std::string::npos);
}

TEST(LlmBudgetTest, ASpentTenantIsRefusedUntilTheNextUtcDay) {
  FakeClock clock;  // 2026-01-01T00:00:00Z
  LlmBudget budget(Limits(0, 0, 1.0, 0), &clock);
  ASSERT_TRUE(budget.Acquire("acme").ok());
  budget.Record("acme", 0.60);
  ASSERT_TRUE(budget.Acquire("acme").ok());
  budget.Record("acme", 0.45);
  Status refused = budget.Acquire("acme");
  EXPECT_EQ(refused.code(), Code::kResourceExhausted);
  EXPECT_NE(refused.message().find("LLM budget exhausted"), std::string::npos);
  EXPECT_NE(refused.message().find("$1.00"), std::string::npos);
  EXPECT_TRUE(budget.Acquire("globex").ok());
  nlohmann::json state = budget.State();
  EXPECT_EQ(state["exhausted_tenants"], nlohmann::json::array({"acme"}));
  EXPECT_EQ(state["day"], "2026-01-01");
  EXPECT_NEAR(state["spend_usd"]["by_tenant"]["acme"].get<double>(), 1.05, 1e-9);
  clock.Advance(24h);
  EXPECT_TRUE(budget.Acquire("acme").ok());
  EXPECT_EQ(budget.State()["exhausted_tenants"].size(), 0u);
}

TEST(LlmBudgetTest, TheFleetsSpendComesFromTheStoreAndThisNodesCallsAddToIt) {
  FakeClock clock;
  int readings = 0;
  TimeMs asked_day = 0;
  LlmSpend stored;
  stored.by_tenant = {{"acme", 3.0}, {"globex", 6.0}};
  stored.total = 9.0;
  SpendLoader loader = [&](TimeMs day) -> Result<LlmSpend> {
    ++readings;
    asked_day = day;
    return stored;
  };
  clock.Advance(5h);
  LlmBudget budget(Limits(0, 0, 0, 10.0), &clock, loader, 60'000);
  ASSERT_TRUE(budget.Acquire("acme").ok());
  EXPECT_EQ(asked_day, FakeClock().NowMs()) << "spend since 00:00 UTC";
  budget.Record("acme", 1.5);  // 10.5 with the stored 9.0
  Status refused = budget.Acquire("initech");
  EXPECT_EQ(refused.code(), Code::kResourceExhausted);
  EXPECT_NE(refused.message().find("fleet"), std::string::npos);
  EXPECT_EQ(readings, 1) << "the store is read at most once a refresh interval";
  // The next reading includes the call recorded above (and others'): no double count.
  stored.by_tenant["acme"] = 4.5;
  stored.total = 9.5;
  clock.Advance(61s);
  EXPECT_TRUE(budget.Acquire("initech").ok());
  EXPECT_EQ(readings, 2);
  EXPECT_NEAR(budget.State()["spend_usd"]["total"].get<double>(), 9.5, 1e-9);
}

TEST(LlmBudgetTest, AFailedReadingKeepsTheLastOneAndIsNotRetriedOnEveryCall) {
  FakeClock clock;
  int readings = 0;
  SpendLoader loader = [&](TimeMs) -> Result<LlmSpend> {
    ++readings;
    return Unavailable("database is down");
  };
  LlmBudget budget(Limits(0, 0, 1.0, 0), &clock, loader, 60'000);
  ASSERT_TRUE(budget.Acquire("acme").ok());
  budget.Record("acme", 2.0);
  EXPECT_EQ(budget.Acquire("acme").code(), Code::kResourceExhausted);
  EXPECT_EQ(readings, 1);
}

TEST(LlmBudgetTest, ZeroMeansNoLimit) {
  FakeClock clock;
  LlmBudget budget(Limits(0, 0, 0, 0), &clock);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(budget.Acquire("acme").ok());
  budget.Record("acme", 1e9);
  EXPECT_TRUE(budget.Acquire("acme").ok());
}

TEST(LlmBudgetTest, SettingsComeFromTheEnvironmentAndBadOnesNameTheVariable) {
  std::map<std::string, std::string> env = {{"SLIPWAY_LLM_TENANT_CALLS_PER_MINUTE", "4"},
                                            {"SLIPWAY_LLM_FLEET_USD_PER_DAY", "250.5"}};
  GetEnvFn getenv = [&](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  Result<LlmBudgetLimits> l = LlmBudgetLimitsFromEnv(getenv);
  ASSERT_TRUE(l.ok()) << l.status().message();
  EXPECT_EQ(l->tenant_calls_per_minute, 4);
  EXPECT_EQ(l->fleet_calls_per_minute, LlmBudgetLimits().fleet_calls_per_minute);
  EXPECT_DOUBLE_EQ(l->fleet_usd_per_day, 250.5);
  for (const char* bad : {"-1", "1e308", "nan", "3x", "2.5"}) {
    env["SLIPWAY_LLM_TENANT_CALLS_PER_MINUTE"] = bad;
    Result<LlmBudgetLimits> r = LlmBudgetLimitsFromEnv(getenv);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().field(), "SLIPWAY_LLM_TENANT_CALLS_PER_MINUTE") << bad;
  }
}

}  // namespace
}  // namespace slipway::activities
