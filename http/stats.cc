// http/stats.cc: see stats.h.
#include "http/stats.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

namespace slipway::http {

using nlohmann::json;

namespace {

bool Ended(const std::string& status) {
  return status == "completed" || status == "failed" || status == "cancelled";
}

// Nearest-rank percentile of ms samples, in seconds; null when there are none.
json PercentileS(std::vector<int64_t> ms, double p) {
  if (ms.empty()) return nullptr;
  std::sort(ms.begin(), ms.end());
  size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(ms.size())));
  rank = std::clamp<size_t>(rank, 1, ms.size());
  return static_cast<double>(ms[rank - 1]) / 1000.0;
}

json Ratio(int64_t num, int64_t den) {
  if (den == 0) return nullptr;
  return static_cast<double>(num) / static_cast<double>(den);
}

// Durations (ms) against a target (s): p50, p95, how many, how many within the target.
json Durations(const std::vector<int64_t>& ms, int64_t target_s) {
  const int64_t within = std::count_if(ms.begin(), ms.end(),
                                       [&](int64_t d) { return d <= target_s * 1000; });
  return {{"count", ms.size()}, {"p50", PercentileS(ms, 0.50)}, {"p95", PercentileS(ms, 0.95)},
          {"target_s", target_s}, {"within_target", Ratio(within, static_cast<int64_t>(ms.size()))}};
}

// Counts of one workflow type by outcome, and the durations of its completed ones.
struct TypeTally {
  int64_t started = 0, completed = 0, failed = 0, cancelled = 0, in_flight = 0;
  std::vector<int64_t> completed_ms;

  void Add(const storage::Instance& w) {
    ++started;
    if (w.status == "completed") {
      ++completed;
      completed_ms.push_back(std::max<int64_t>(0, w.updated_at_ms - w.created_at_ms));
    } else if (w.status == "failed") {
      ++failed;
    } else if (w.status == "cancelled") {
      ++cancelled;
    } else {
      ++in_flight;
    }
  }
  json ToJson(int64_t target_s) const {
    return {{"started", started},     {"completed", completed}, {"failed", failed},
            {"cancelled", cancelled}, {"in_flight", in_flight},
            {"duration_s", Durations(completed_ms, target_s)}};
  }
};

struct LlmTally {
  int64_t input_tokens = 0, output_tokens = 0, workflows = 0;
  double cost_usd = 0;

  void Add(const json& usage) {
    if (!usage.is_object()) return;
    auto number = [&](const char* key) {
      auto it = usage.find(key);
      return it != usage.end() && it->is_number() ? it->get<double>() : 0.0;
    };
    input_tokens += static_cast<int64_t>(number("input_tokens"));
    output_tokens += static_cast<int64_t>(number("output_tokens"));
    cost_usd += number("cost_usd");
    ++workflows;
  }
  json ToJson() const {
    return {{"input_tokens", input_tokens}, {"output_tokens", output_tokens},
            {"cost_usd", cost_usd}, {"workflows", workflows}};
  }
};

const json& Field(const json& j, const char* key) {
  static const json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

// A step view's duration in ms, if it started and ended.
std::optional<int64_t> StepMs(const json& step) {
  const json& started = Field(step, "started_at");
  const json& ended = Field(step, "ended_at");
  if (!started.is_number() || !ended.is_number()) return std::nullopt;
  return std::max<int64_t>(0, ended.get<int64_t>() - started.get<int64_t>());
}

bool OutputFlag(const json& outputs, const char* step, const char* key, bool value) {
  const json& flag = Field(Field(outputs, step), key);
  return flag.is_boolean() && flag.get<bool>() == value;
}

}  // namespace

json ComputeStats(const std::vector<storage::Instance>& workflows, TimeMs from, TimeMs to,
                  const StatsTargets& targets) {
  TypeTally onboarding, deployment;
  std::vector<int64_t> validation_ms;
  int64_t validated = 0, caught = 0, needed_fix = 0, fixed = 0;
  LlmTally llm_total;
  std::map<std::string, LlmTally> llm_by_tenant;
  for (const storage::Instance& w : workflows) {
    const json context = json::parse(w.context_json, nullptr, false);
    const json& outputs = Field(context, "outputs");
    if (w.type == "onboarding") onboarding.Add(w);
    if (w.type == "deployment") {
      deployment.Add(w);
      if (auto ms = StepMs(Field(Field(context, "steps"), "validate"))) validation_ms.push_back(*ms);
      if (Field(Field(outputs, "validate"), "passed").is_boolean()) ++validated;
      const bool errors_found = OutputFlag(outputs, "validate", "passed", false);
      const bool fix_worked = OutputFlag(outputs, "revalidate", "passed", true);
      caught += errors_found;
      if (errors_found && (Ended(w.status) || fix_worked)) {
        ++needed_fix;
        fixed += fix_worked;
      }
    }
    const json& usage = Field(Field(outputs, "autofix"), "llm_total");
    if (usage.is_object()) {
      llm_total.Add(usage);
      llm_by_tenant[w.tenant].Add(usage);
    }
  }
  json by_tenant = json::object();
  for (const auto& [tenant, tally] : llm_by_tenant) by_tenant[tenant] = tally.ToJson();
  json llm = llm_total.ToJson();
  llm["by_tenant"] = by_tenant;
  const int64_t decided = deployment.completed + deployment.failed;
  json deploy = deployment.ToJson(targets.deployment_s);
  deploy["success_rate"] = Ratio(deployment.completed, decided);
  deploy["target_success_rate"] = targets.deployment_success;
  return {{"from", FormatRfc3339(from)},
          {"to", FormatRfc3339(to)},
          {"workflows", workflows.size()},
          {"onboarding", onboarding.ToJson(targets.onboarding_s)},
          {"deployment", deploy},
          {"validation",
           {{"validated", validated},
            {"errors_found", caught},
            {"catch_rate", Ratio(caught, deployment.started)},
            {"duration_s", Durations(validation_ms, targets.validation_s)}}},
          {"autofix",
           {{"needed", needed_fix},
            {"fixed", fixed},
            {"success_rate", Ratio(fixed, needed_fix)},
            {"target_success_rate", {targets.autofix_success_low, targets.autofix_success_high}}}},
          {"llm", llm}};
}

namespace {

void Gauge(std::ostringstream& out, const std::string& name, const std::string& help,
           const std::string& window, const json& value) {
  if (!value.is_number()) return;  // an undefined rate is left out, not shown as 0
  out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " gauge\n"
      << name << "{window=\"" << window << "\"} " << value.get<double>() << '\n';
}

}  // namespace

std::string RenderStats(const json& s, const std::string& w) {
  std::ostringstream out;
  Gauge(out, "slipway_stats_onboarding_duration_p50_seconds", "Onboarding, start to completed.",
        w, s["onboarding"]["duration_s"]["p50"]);
  Gauge(out, "slipway_stats_onboarding_duration_p95_seconds", "Onboarding, start to completed.",
        w, s["onboarding"]["duration_s"]["p95"]);
  Gauge(out, "slipway_stats_deployment_duration_p50_seconds", "Deployment, start to completed.",
        w, s["deployment"]["duration_s"]["p50"]);
  Gauge(out, "slipway_stats_deployment_duration_p95_seconds", "Deployment, start to completed.",
        w, s["deployment"]["duration_s"]["p95"]);
  Gauge(out, "slipway_stats_validation_duration_p50_seconds", "The validate step.", w,
        s["validation"]["duration_s"]["p50"]);
  Gauge(out, "slipway_stats_validation_duration_p95_seconds", "The validate step.", w,
        s["validation"]["duration_s"]["p95"]);
  Gauge(out, "slipway_stats_deployment_success_ratio", "Completed / (completed + failed).", w,
        s["deployment"]["success_rate"]);
  Gauge(out, "slipway_stats_validation_catch_ratio", "Deployments whose build found errors.",
        w, s["validation"]["catch_rate"]);
  Gauge(out, "slipway_stats_autofix_success_ratio", "Deployments fixed / needing a fix.", w,
        s["autofix"]["success_rate"]);
  Gauge(out, "slipway_stats_llm_cost_usd", "LLM spend, failed workflows included.", w,
        s["llm"]["cost_usd"]);
  Gauge(out, "slipway_stats_llm_input_tokens", "LLM input tokens, failed workflows included.",
        w, s["llm"]["input_tokens"]);
  Gauge(out, "slipway_stats_llm_output_tokens", "LLM output tokens, failed workflows included.",
        w, s["llm"]["output_tokens"]);
  return out.str();
}

std::string RenderLlmBudget(const json& b) {
  std::ostringstream out;
  auto gauge = [&](const char* name, const char* help, const json& value) {
    if (!value.is_number()) return;
    out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " gauge\n"
        << name << ' ' << value.get<double>() << '\n';
  };
  gauge("slipway_llm_budget_spend_usd", "LLM spend of the fleet today (UTC).",
        b["spend_usd"]["total"]);
  gauge("slipway_llm_budget_limit_usd", "The fleet's LLM budget a day (0: none).",
        b["limits"]["fleet_usd_per_day"]);
  gauge("slipway_llm_budget_exhausted_tenants", "Tenants whose LLM budget for today is spent.",
        json(b["exhausted_tenants"].size()));
  gauge("slipway_llm_budget_calls_last_minute", "LLM calls in the last minute on this node.",
        b["calls_last_minute"]["total"]);
  return out.str();
}

}  // namespace slipway::http
