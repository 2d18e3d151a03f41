// http/metrics.cc: Prometheus text format (version 0.0.4) rendering.
#include "http/metrics.h"

#include <sstream>

namespace slipway::http {

void HttpMetrics::CountRequest(const std::string& route, const std::string& method, int status) {
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{route, method, status}];
}

std::string HttpMetrics::RenderRequests() const {
  std::ostringstream out;
  out << "# HELP slipway_http_requests_total HTTP requests by route, method and status.\n"
      << "# TYPE slipway_http_requests_total counter\n";
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [key, n] : requests_) {
    out << "slipway_http_requests_total{route=\"" << EscapeLabel(std::get<0>(key)) << "\",method=\""
        << EscapeLabel(std::get<1>(key)) << "\",code=\"" << std::get<2>(key) << "\"} " << n << "\n";
  }
  return out.str();
}

std::string RenderWorkflowCounts(const std::vector<storage::TypeStatusCount>& counts) {
  std::ostringstream out;
  out << "# HELP slipway_workflows Workflows by type and status.\n"
      << "# TYPE slipway_workflows gauge\n";
  for (const auto& c : counts) {
    out << "slipway_workflows{type=\"" << EscapeLabel(c.type) << "\",status=\""
        << EscapeLabel(c.status) << "\"} " << c.count << "\n";
  }
  return out.str();
}

std::string RenderStoreStats(const storage::StoreStats& s) {
  std::ostringstream out;
  auto gauge = [&](const char* name, const char* help, int64_t v) {
    out << "# HELP " << name << " " << help << "\n# TYPE " << name << " gauge\n"
        << name << " " << v << "\n";
  };
  gauge("slipway_store_instances", "Workflow instances in the store.", s.instances);
  gauge("slipway_store_history_events", "History events in the store.", s.events);
  gauge("slipway_store_tasks", "Tasks and durable timers in the store.", s.tasks);
  gauge("slipway_store_leased_tasks", "Tasks with a lease owner.", s.leased_tasks);
  return out.str();
}

std::string EscapeLabel(const std::string& value) {
  std::string out;
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace slipway::http
