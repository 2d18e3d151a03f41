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

}  // namespace
}  // namespace slipway::http
