// http/stats_test.cc: the plan's success metrics from stored workflows (ComputeStats, pure),
// and GET /v1/stats and the slipway_stats_* gauges over HTTP (roles, window, bad times).
#include "http/stats.h"

#include "http/http_test_fixture.h"

namespace slipway::http::testing {
namespace {

using nlohmann::json;

constexpr TimeMs kT0 = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

storage::Instance Workflow(const std::string& type, const std::string& tenant,
                           const std::string& status, int64_t took_s, json context = json()) {
  storage::Instance w;
  w.type = type;
  w.tenant = tenant;
  w.status = status;
  w.created_at_ms = kT0;
  w.updated_at_ms = kT0 + took_s * 1000;
  w.context_json = context.is_null() ? "{}" : context.dump();
  return w;
}

// A deployment's context: validate found errors or not, the fix worked or not, LLM usage.
json DeployContext(bool validate_passed, json revalidate_passed = nullptr, double cost = 0,
                   int64_t validate_s = 60) {
  json ctx = {{"steps", {{"validate", {{"started_at", kT0}, {"ended_at", kT0 + validate_s * 1000}}}}},
              {"outputs", {{"validate", {{"passed", validate_passed}}}}}};
  if (!revalidate_passed.is_null()) ctx["outputs"]["revalidate"] = {{"passed", revalidate_passed}};
  if (cost > 0) {
    ctx["outputs"]["autofix"] = {
        {"llm_total", {{"input_tokens", 1000}, {"output_tokens", 100}, {"cost_usd", cost}}}};
  }
  return ctx;
}

TEST(ComputeStatsTest, RatesDurationsAndSpendIncludingFailedWorkflows) {
  std::vector<storage::Instance> in = {
      Workflow("onboarding", "a", "completed", 100),
      Workflow("onboarding", "b", "completed", 400),
      Workflow("onboarding", "c", "running", 0),
      Workflow("deployment", "a", "completed", 120, DeployContext(true)),
      Workflow("deployment", "a", "completed", 150, DeployContext(false, true, 0.25, 90)),
      Workflow("deployment", "b", "failed", 200, DeployContext(false, false, 0.5, 150)),
      Workflow("deployment", "b", "cancelled", 10, DeployContext(true)),
      Workflow("deployment", "c", "running", 0, DeployContext(false)),  // fix undecided
  };
  json s = ComputeStats(in, kT0, kT0 + 3600'000);
  EXPECT_EQ(s["workflows"], 8);
  EXPECT_EQ(s["onboarding"]["completed"], 2);
  EXPECT_EQ(s["onboarding"]["in_flight"], 1);
  EXPECT_EQ(s["onboarding"]["duration_s"]["p50"], 100.0);
  EXPECT_EQ(s["onboarding"]["duration_s"]["p95"], 400.0);
  EXPECT_EQ(s["onboarding"]["duration_s"]["within_target"], 0.5);  // 400 s > 5 minutes
  const json& d = s["deployment"];
  EXPECT_EQ(d["started"], 5);
  EXPECT_EQ(d["completed"], 2);
  EXPECT_EQ(d["failed"], 1);
  EXPECT_EQ(d["cancelled"], 1);
  EXPECT_EQ(d["in_flight"], 1);
  EXPECT_NEAR(d["success_rate"].get<double>(), 2.0 / 3.0, 1e-9);  // cancelled not counted
  EXPECT_EQ(d["duration_s"]["p50"], 120.0);
  EXPECT_EQ(s["validation"]["validated"], 5);
  EXPECT_EQ(s["validation"]["errors_found"], 3);
  EXPECT_NEAR(s["validation"]["catch_rate"].get<double>(), 3.0 / 5.0, 1e-9);
  EXPECT_EQ(s["validation"]["duration_s"]["p95"], 150.0);
  EXPECT_EQ(s["autofix"]["needed"], 2);  // the running one has no outcome yet
  EXPECT_EQ(s["autofix"]["fixed"], 1);
  EXPECT_EQ(s["autofix"]["success_rate"], 0.5);
  // The failed deployment's spend counts: it is the heaviest user.
  EXPECT_EQ(s["llm"]["cost_usd"], 0.75);
  EXPECT_EQ(s["llm"]["input_tokens"], 2000);
  EXPECT_EQ(s["llm"]["by_tenant"]["b"]["cost_usd"], 0.5);
  EXPECT_EQ(s["llm"]["by_tenant"]["a"]["cost_usd"], 0.25);
}

TEST(ComputeStatsTest, AnEmptyWindowHasNullRatesNotZeros) {
  json s = ComputeStats({}, kT0, kT0 + 1000);
  EXPECT_TRUE(s["deployment"]["success_rate"].is_null());
  EXPECT_TRUE(s["autofix"]["success_rate"].is_null());
  EXPECT_TRUE(s["deployment"]["duration_s"]["p50"].is_null());
  EXPECT_EQ(s["from"], "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(RenderStats(s, "24h").find("success_ratio"), std::string::npos);
}

TEST(ComputeStatsTest, HostileContextsCountAsNothingAndCrashNothing) {
  std::vector<storage::Instance> in = {
      Workflow("deployment", "a", "failed", 5, json{{"outputs", "x"}, {"steps", 7}}),
      Workflow("deployment", "a", "failed", 5,
               json{{"outputs", {{"autofix", {{"llm_total", {{"cost_usd", "lots"}}}}}}}}),
  };
  in.push_back(Workflow("deployment", "a", "failed", 5));
  in.back().context_json = "{not json";
  json s = ComputeStats(in, kT0, kT0 + 1000);
  EXPECT_EQ(s["deployment"]["failed"], 3);
  EXPECT_EQ(s["llm"]["cost_usd"], 0.0);
  EXPECT_EQ(s["validation"]["validated"], 0);
}

TEST(ComputeStatsTest, GaugesCarryTheWindowLabel) {
  std::vector<storage::Instance> in = {
      Workflow("deployment", "a", "completed", 120, DeployContext(false, true, 0.25))};
  const std::string text = RenderStats(ComputeStats(in, kT0, kT0 + 1000), "24h");
  EXPECT_NE(text.find("slipway_stats_deployment_success_ratio{window=\"24h\"} 1\n"),
            std::string::npos) << text;
  EXPECT_NE(text.find("slipway_stats_llm_cost_usd{window=\"24h\"} 0.25\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE slipway_stats_autofix_success_ratio gauge\n"), std::string::npos);
}

TEST(ComputeStatsTest, LlmBudgetGaugesFromTheBudgetsState) {
  const nlohmann::json state = {
      {"limits", {{"fleet_usd_per_day", 500.0}}},
      {"spend_usd", {{"total", 12.5}, {"by_tenant", {{"acme", 12.5}}}}},
      {"calls_last_minute", {{"total", 3}}},
      {"exhausted_tenants", {"acme"}}};
  const std::string text = RenderLlmBudget(state);
  EXPECT_NE(text.find("slipway_llm_budget_spend_usd 12.5\n"), std::string::npos) << text;
  EXPECT_NE(text.find("slipway_llm_budget_limit_usd 500\n"), std::string::npos) << text;
  EXPECT_NE(text.find("slipway_llm_budget_exhausted_tenants 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("slipway_llm_budget_calls_last_minute 3\n"), std::string::npos) << text;
}

class StatsApiTest : public HttpFixture {};

TEST_F(StatsApiTest, OpsAndAuditorsReadTheWindowTenantsDoNot) {
  StartOver("seven");
  clock_.Advance(std::chrono::hours(2));
  StartOver("seven", "client2");
  Reply all = Get("/v1/stats");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(all.json["workflows"], 2);
  EXPECT_EQ(all.json["truncated"], false);
  const std::string now = FormatRfc3339(clock_.NowMs());
  const std::string hours_ago = FormatRfc3339(clock_.NowMs() - 3 * 3600'000);
  Reply window = Get("/v1/stats?from=" + hours_ago + "&to=" + now, kAuditor);
  ASSERT_EQ(window.status, 200) << window.body;
  EXPECT_EQ(window.json["workflows"], 1);  // "to" is exclusive: the second started at now
  EXPECT_EQ(window.json["from"], hours_ago);
  EXPECT_EQ(Get("/v1/stats", kClient1).status, 403);
  EXPECT_EQ(Get("/v1/stats", kApprover).status, 403);
  EXPECT_EQ(Get("/v1/stats", "").status, 401);
  Reply metrics = Get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("# TYPE slipway_stats_llm_cost_usd gauge"), std::string::npos);
}

TEST_F(StatsApiTest, BadTimesAndWindowsAre400NamingTheField) {
  struct Case {
    std::string query, field;
  } cases[] = {{"from=yesterday", "from"},
               {"to=2026-01-01T00:00:00%2B01:00", "to"},
               {"from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "from"},
               {"from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from"},
               {"since=2026-01-01T00:00:00Z", "since"}};
  for (const Case& c : cases) {
    Reply r = Get("/v1/stats?" + c.query);
    EXPECT_EQ(r.status, 400) << c.query;
    EXPECT_EQ(r.json["error"]["field"], c.field) << c.query << " " << r.body;
  }
}

TEST_F(StatsApiTest, TenantsListTheRecordsWithTheirLastDeploymentsForOpsAndAuditors) {
  EXPECT_EQ(Get("/v1/tenants").status, 404) << "no tenant records configured";
  HttpApiOptions o;
  o.port = 0;
  o.tenants = []() -> Result<nlohmann::json> {
    return nlohmann::json::array({{{"tenant", "client1"}, {"repo", "client1"}},
                                  {{"tenant", "client2"}, {"repo", "client2"}}});
  };
  StartApi(o);
  ASSERT_EQ(Post("/v1/workflows", {{"type", "deployment"}, {"tenant", "client1"}}, kClient1).status,
            201);
  Reply r = Get("/v1/tenants", kAuditor);
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json["tenants"].size(), 2u);
  EXPECT_EQ(r.json["tenants"][0]["last_deployments"].size(), 1u) << r.body;
  EXPECT_EQ(r.json["tenants"][0]["last_deployments"][0]["status"], "queued") << r.body;
  EXPECT_EQ(r.json["tenants"][1]["last_deployments"].size(), 0u);
  EXPECT_EQ(r.json["truncated"], false);
  EXPECT_EQ(Get("/v1/tenants", kClient1).status, 403);
  EXPECT_EQ(Get("/v1/tenants?x=1").status, 400);
}

TEST_F(StatsApiTest, TenantsComeInPagesThatContinueAfterTheLastOne) {
  HttpApiOptions o;
  o.port = 0;
  o.tenants = []() -> Result<nlohmann::json> {
    nlohmann::json all = nlohmann::json::array();
    for (const char* t : {"client1", "client2", "client3"}) all.push_back({{"tenant", t}});
    return all;
  };
  StartApi(o);
  Reply first = Get("/v1/tenants?limit=2", kAuditor);
  ASSERT_EQ(first.status, 200) << first.body;
  ASSERT_EQ(first.json["tenants"].size(), 2u);
  EXPECT_EQ(first.json["truncated"], true);
  EXPECT_EQ(first.json["next_after"], "client2");
  Reply rest = Get("/v1/tenants?limit=2&after=client2", kAuditor);
  ASSERT_EQ(rest.status, 200) << rest.body;
  ASSERT_EQ(rest.json["tenants"].size(), 1u);
  EXPECT_EQ(rest.json["tenants"][0]["tenant"], "client3");
  EXPECT_EQ(rest.json["truncated"], false);
  EXPECT_FALSE(rest.json.contains("next_after"));
  Reply unknown = Get("/v1/tenants?after=nobody", kAuditor);
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.json["error"]["field"], "after") << unknown.body;
  EXPECT_EQ(Get("/v1/tenants?limit=0", kAuditor).json["error"]["field"], "limit");
  EXPECT_EQ(Get("/v1/tenants?limit=1001", kAuditor).json["error"]["field"], "limit");
}

}  // namespace
}  // namespace slipway::http::testing
