// http/metrics.cc: Prometheus text format (version 0.0.4) rendering.
#include "http/metrics.h"

#include <algorithm>
#include <nlohmann/json.hpp>
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

std::string HttpMetrics::RenderWebhooks() const {
  return "# HELP slipway_webhook_bad_signature_total GitHub webhook deliveries refused (401): "
         "signature missing or wrong, or the repository is no tenant's.\n"
         "# TYPE slipway_webhook_bad_signature_total counter\n"
         "slipway_webhook_bad_signature_total " +
         std::to_string(webhook_bad_signatures_.load()) + "\n";
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

std::string RenderQueueDepth(const std::vector<storage::TypeStatusCount>& counts) {
  int64_t queued = 0;
  for (const auto& c : counts) queued += c.status == "queued" ? c.count : 0;
  return "# HELP slipway_queued_workflows Workflows waiting in a tenant's serial queue.\n"
         "# TYPE slipway_queued_workflows gauge\n"
         "slipway_queued_workflows " + std::to_string(queued) + "\n";
}

std::string RenderTaskBacklog(std::optional<TimeMs> next_wake_up, TimeMs now) {
  const TimeMs waited = next_wake_up && *next_wake_up < now ? now - *next_wake_up : 0;
  std::ostringstream out;
  out << "# HELP slipway_task_backlog_seconds How long the oldest claimable task (due, or its "
         "lease expired) has waited for a worker; 0 when none is.\n"
         "# TYPE slipway_task_backlog_seconds gauge\n"
         "slipway_task_backlog_seconds "
      << static_cast<double>(waited) / 1000.0 << "\n";
  return out.str();
}

std::string RenderClaimableTasks(int64_t claimable) {
  return "# HELP slipway_tasks_claimable Tasks a worker could claim now (due and unleased, or "
         "their lease expired): work waiting for a worker.\n"
         "# TYPE slipway_tasks_claimable gauge\n"
         "slipway_tasks_claimable " +
         std::to_string(claimable) + "\n";
}

std::string RenderStepSamples(const std::vector<engine::StepSample>& samples, int window) {
  struct Agg {
    std::vector<int64_t> ms;
    int64_t retries = 0;
  };
  std::map<std::pair<std::string, std::string>, Agg> by_step;
  for (const auto& s : samples) {
    Agg& a = by_step[{s.type, s.step}];
    a.ms.push_back(s.duration_ms);
    a.retries += std::max(0, s.attempts - 1);
  }
  const std::string scope = " of the " + std::to_string(window) +
                            " newest completed and newest failed workflows";
  std::ostringstream out;
  out << "# HELP slipway_recent_step_duration_seconds Step durations (first start to end, "
         "retries included)" << scope << ".\n"
      << "# TYPE slipway_recent_step_duration_seconds summary\n";
  for (auto& [key, a] : by_step) {
    std::sort(a.ms.begin(), a.ms.end());
    const std::string labels =
        "type=\"" + EscapeLabel(key.first) + "\",step=\"" + EscapeLabel(key.second) + "\"";
    int64_t sum = 0;
    for (int64_t v : a.ms) sum += v;
    for (double q : {0.5, 0.99}) {
      size_t i = std::min(a.ms.size() - 1, static_cast<size_t>(q * static_cast<double>(a.ms.size())));
      out << "slipway_recent_step_duration_seconds{" << labels << ",quantile=\"" << q << "\"} "
          << static_cast<double>(a.ms[i]) / 1000 << "\n";
    }
    out << "slipway_recent_step_duration_seconds_sum{" << labels << "} "
        << static_cast<double>(sum) / 1000 << "\n"
        << "slipway_recent_step_duration_seconds_count{" << labels << "} " << a.ms.size() << "\n";
  }
  out << "# HELP slipway_recent_step_retries Step attempts beyond the first" << scope << ".\n"
      << "# TYPE slipway_recent_step_retries gauge\n";
  for (const auto& [key, a] : by_step) {
    out << "slipway_recent_step_retries{type=\"" << EscapeLabel(key.first) << "\",step=\""
        << EscapeLabel(key.second) << "\"} " << a.retries << "\n";
  }
  return out.str();
}

std::string RenderLlmUsage(const std::vector<storage::Instance>& completed) {
  int64_t input = 0, output = 0;
  double cost = 0;
  for (const auto& inst : completed) {
    if (inst.result_json.empty()) continue;
    nlohmann::json r = nlohmann::json::parse(inst.result_json, nullptr, false);
    if (!r.is_object() || !r.contains("llm") || !r["llm"].is_object()) continue;
    const nlohmann::json& llm = r["llm"];
    auto number = [&](const char* key) {
      auto it = llm.find(key);
      return it != llm.end() && it->is_number() ? it->get<double>() : 0.0;
    };
    input += static_cast<int64_t>(number("input_tokens"));
    output += static_cast<int64_t>(number("output_tokens"));
    cost += number("cost_usd");
  }
  const std::string scope = " of the " + std::to_string(completed.size()) +
                            " newest completed workflows (their results' llm field).\n";
  std::ostringstream out;
  out << "# HELP slipway_recent_llm_input_tokens LLM input tokens" << scope
      << "# TYPE slipway_recent_llm_input_tokens gauge\nslipway_recent_llm_input_tokens " << input
      << "\n# HELP slipway_recent_llm_output_tokens LLM output tokens" << scope
      << "# TYPE slipway_recent_llm_output_tokens gauge\nslipway_recent_llm_output_tokens "
      << output << "\n# HELP slipway_recent_llm_cost_usd LLM cost in US dollars" << scope
      << "# TYPE slipway_recent_llm_cost_usd gauge\nslipway_recent_llm_cost_usd " << cost << "\n";
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
