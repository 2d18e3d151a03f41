// http/metrics_test.cc: Prometheus text rendering.
#include <gtest/gtest.h>

#include "http/metrics.h"

namespace slipway::http {
namespace {

TEST(MetricsTest, RendersCountsWithEscapedLabels) {
  EXPECT_EQ(EscapeLabel("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  std::string text = RenderWorkflowCounts({{"deployment", "failed", 2}});
  EXPECT_NE(text.find("# TYPE slipway_workflows gauge\n"), std::string::npos);
  EXPECT_NE(text.find("slipway_workflows{type=\"deployment\",status=\"failed\"} 2\n"),
            std::string::npos);
  HttpMetrics m;
  m.CountRequest("/healthz", "GET", 200);
  m.CountRequest("/healthz", "GET", 200);
  m.CountRequest("unmatched", "GET", 404);
  std::string requests = m.RenderRequests();
  EXPECT_NE(requests.find("slipway_http_requests_total{route=\"/healthz\",method=\"GET\","
                          "code=\"200\"} 2\n"),
            std::string::npos);
  EXPECT_NE(requests.find("route=\"unmatched\",method=\"GET\",code=\"404\"} 1\n"),
            std::string::npos);
}

TEST(MetricsTest, TaskBacklogIsTheWaitOfTheOldestClaimableTask) {
  EXPECT_NE(RenderTaskBacklog(std::nullopt, 10'000).find("slipway_task_backlog_seconds 0\n"),
            std::string::npos);
  EXPECT_NE(RenderTaskBacklog(12'000, 10'000).find("slipway_task_backlog_seconds 0\n"),
            std::string::npos);  // due later: nothing waits
  std::string text = RenderTaskBacklog(7'500, 10'000);
  EXPECT_NE(text.find("# TYPE slipway_task_backlog_seconds gauge\n"), std::string::npos);
  EXPECT_NE(text.find("slipway_task_backlog_seconds 2.5\n"), std::string::npos) << text;
  std::string claimable = RenderClaimableTasks(7);
  EXPECT_NE(claimable.find("# TYPE slipway_tasks_claimable gauge\n"), std::string::npos);
  EXPECT_NE(claimable.find("slipway_tasks_claimable 7\n"), std::string::npos) << claimable;
}

TEST(MetricsTest, RendersQueueDepthStepSummariesRetriesAndLlmUsage) {
  EXPECT_NE(RenderQueueDepth({{"deployment", "queued", 3}, {"onboarding", "queued", 2},
                              {"deployment", "running", 7}})
                .find("slipway_queued_workflows 5\n"),
            std::string::npos);
  std::vector<engine::StepSample> samples;
  for (int ms = 1; ms <= 100; ++ms) samples.push_back({"deployment", "build", "succeeded", 1, ms * 10});
  samples.push_back({"deployment", "verify", "succeeded", 3, 2500});
  std::string steps = RenderStepSamples(samples, 200);
  EXPECT_NE(steps.find("# TYPE slipway_recent_step_duration_seconds summary\n"), std::string::npos);
  EXPECT_NE(steps.find("slipway_recent_step_duration_seconds{type=\"deployment\",step=\"build\","
                       "quantile=\"0.5\"} 0.51\n"),
            std::string::npos)
      << steps;
  EXPECT_NE(steps.find("quantile=\"0.99\"} 1\n"), std::string::npos) << steps;
  EXPECT_NE(steps.find("slipway_recent_step_duration_seconds_count{type=\"deployment\","
                       "step=\"build\"} 100\n"),
            std::string::npos);
  EXPECT_NE(steps.find("slipway_recent_step_retries{type=\"deployment\",step=\"verify\"} 2\n"),
            std::string::npos);
  EXPECT_NE(steps.find("slipway_recent_step_retries{type=\"deployment\",step=\"build\"} 0\n"),
            std::string::npos);
  std::vector<storage::Instance> done(3);
  done[0].result_json = R"({"llm": {"input_tokens": 1000, "output_tokens": 200, "cost_usd": 0.25}})";
  done[1].result_json = R"({"llm": {"input_tokens": 500, "output_tokens": 50, "cost_usd": 0.5}})";
  done[2].result_json = R"({"site": "no llm field"})";
  std::string llm = RenderLlmUsage(done);
  EXPECT_NE(llm.find("slipway_recent_llm_input_tokens 1500\n"), std::string::npos) << llm;
  EXPECT_NE(llm.find("slipway_recent_llm_output_tokens 250\n"), std::string::npos);
  EXPECT_NE(llm.find("slipway_recent_llm_cost_usd 0.75\n"), std::string::npos);
}

TEST(MetricsTest, RefusalsAreCountedByReasonAndEveryReasonIsListed) {
  HttpMetrics m;
  RefusalCounts& r = m.refusals();
  r.Count(RefusalReason::kHeadTooLarge);
  r.Count(RefusalReason::kHeadTooLarge);
  r.Count(RefusalReason::kWaitsPerPrincipalCap);
  r.CountServerError(503);
  r.CountServerError(500);
  r.CountServerError(503);
  r.CountServerError(404);  // not a 5xx: ignored
  const std::string text = r.Render();
  EXPECT_NE(text.find("# TYPE slipway_http_refused_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("slipway_http_refused_total{reason=\"head_too_large\"} 2\n"),
            std::string::npos) << text;
  EXPECT_NE(text.find("slipway_http_refused_total{reason=\"waits_per_principal_cap\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("slipway_http_refused_total{reason=\"body_timeout\"} 0\n"),
            std::string::npos);  // listed before it ever happens
  EXPECT_NE(text.find("slipway_http_server_errors_total{code=\"503\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("slipway_http_server_errors_total{code=\"500\"} 1\n"), std::string::npos);
  EXPECT_EQ(text.find("code=\"404\""), std::string::npos);
  for (size_t i = 0; i < kRefusalReasons; ++i) {
    const std::string name = RefusalReasonName(static_cast<RefusalReason>(i));
    EXPECT_NE(name, "unknown");
    EXPECT_NE(text.find("{reason=\"" + name + "\"}"), std::string::npos) << name;
  }
}

TEST(MetricsTest, HandlerStatusesMapToTheirRefusal) {
  EXPECT_EQ(RefusalForStatus(400), RefusalReason::kBadRequest);
  EXPECT_EQ(RefusalForStatus(401), RefusalReason::kUnauthorized);
  EXPECT_EQ(RefusalForStatus(403), RefusalReason::kForbidden);
  EXPECT_EQ(RefusalForStatus(405), RefusalReason::kMethodNotAllowed);
  EXPECT_EQ(RefusalForStatus(413), RefusalReason::kBodyTooLarge);
  EXPECT_EQ(RefusalForStatus(415), RefusalReason::kUnsupportedMediaType);
  for (int answer : {200, 201, 304, 404, 409, 429, 500, 503}) {
    EXPECT_FALSE(RefusalForStatus(answer).has_value()) << answer;
  }
}

}  // namespace
}  // namespace slipway::http
