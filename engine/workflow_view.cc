// engine/workflow_view.cc: how a stored instance looks to callers (steps in declared order,
// times in RFC 3339, what a queued workflow waits behind), and the read-only windows of
// finished workflows that metrics and stats compute from.
#include <algorithm>

#include "engine/base/redact.h"
#include "engine/engine.h"

namespace slipway::engine {

using nlohmann::json;

namespace {

json TimeOrNull(const json& step, const char* key) {
  auto it = step.find(key);
  if (it == step.end() || !it->is_number()) return nullptr;
  return FormatRfc3339(it->get<TimeMs>());
}

json StepView(const std::string& name, const json& s) {
  json v = {{"name", name},
            {"status", s.value("status", "pending")},
            {"attempts", s.value("attempts", 0)},
            {"started_at", TimeOrNull(s, "started_at")},
            {"ended_at", TimeOrNull(s, "ended_at")},
            {"next_attempt_at", TimeOrNull(s, "next_attempt_at")},
            {"error", s.value("error", json())}};
  // A step waiting on the outside world (activity.h, NotDoneYet): what it last saw and when it
  // looks again.
  if (s.contains("progress")) v["progress"] = s["progress"];
  if (s.contains("looks")) v["looks"] = s["looks"];
  if (s.contains("next_look_at")) v["next_look_at"] = TimeOrNull(s, "next_look_at");
  return v;
}

json ParseOr(const std::string& text, json fallback) {
  if (text.empty()) return fallback;
  json j = json::parse(text, nullptr, false);
  return j.is_discarded() ? fallback : j;
}

}  // namespace

Workflow Engine::ToWorkflow(const storage::Instance& inst) {
  Workflow w;
  w.instance = inst;
  json context = ParseOr(inst.context_json, json::object());
  const json& steps = context.contains("steps") ? context["steps"] : json::object();
  // The steps of the version the instance runs on; a version this process does not register
  // (the instance is held, versions.cc) shows the steps it recorded, by name.
  const WorkflowType* type = FindType(inst.type, inst.type_version);
  std::vector<std::string> recorded;
  if (type == nullptr && steps.is_object() && FindType(inst.type) != nullptr) {
    for (const auto& item : steps.items()) recorded.push_back(item.key());
  }
  const std::vector<std::string>& names = type != nullptr ? type->steps : recorded;
  for (const auto& name : names) {
    w.steps.push_back(StepView(name, steps.contains(name) ? steps[name] : json::object()));
  }
  bool is_step = std::find(names.begin(), names.end(), inst.state) != names.end();
  if (is_step && !status::IsFinal(inst.status)) w.current_step = inst.state;
  if (is_step && inst.status == status::kFailed) w.current_step = inst.state;
  if (inst.status == status::kQueued && !inst.serial_key.empty()) {
    Result<std::vector<std::string>> queue = store_.SerialQueue(inst.serial_key);
    if (queue.ok()) {
      for (size_t i = 1; i < queue->size(); ++i) {
        if ((*queue)[i] == inst.id) w.queued_behind = (*queue)[i - 1];
      }
    }
  }
  return w;
}

Result<std::vector<StepSample>> Engine::RecentStepSamples(int limit) {
  std::vector<StepSample> out;
  for (const char* st : {status::kCompleted, status::kFailed}) {
    storage::ListQuery q;
    q.status = st;
    q.limit = limit;
    Result<storage::ListPage> page = store_.List(q);
    if (!page.ok()) return page.status();
    for (const auto& inst : page->instances) {
      json context = ParseOr(inst.context_json, json::object());
      if (!context.contains("steps") || !context["steps"].is_object()) continue;
      for (const auto& [name, s] : context["steps"].items()) {
        auto started = s.find("started_at");
        auto ended = s.find("ended_at");
        if (started == s.end() || ended == s.end() || !started->is_number() ||
            !ended->is_number()) {
          continue;
        }
        out.push_back({inst.type, name, s.value("status", ""), s.value("attempts", 0),
                       std::max<int64_t>(0, ended->get<TimeMs>() - started->get<TimeMs>())});
      }
    }
  }
  return out;
}

Result<std::vector<storage::Instance>> Engine::CreatedBetween(TimeMs from_ms, TimeMs to_ms,
                                                              size_t max, bool& truncated) {
  std::vector<storage::Instance> out;
  truncated = false;
  storage::ListQuery q;
  q.limit = 500;
  q.created_after_ms = from_ms;  // the store reads only the window, newest first
  q.created_before_ms = to_ms;
  do {
    Result<storage::ListPage> page = store_.List(q);
    if (!page.ok()) return page.status();
    for (storage::Instance& inst : page->instances) {
      if (out.size() == max) {
        truncated = true;
        return out;
      }
      out.push_back(std::move(inst));
    }
    q.cursor = page->next_cursor;
  } while (!q.cursor.empty());
  return out;
}

json Workflow::ToJson() const {
  json j = {{"id", instance.id},
            {"type", instance.type},
            {"type_version", instance.type_version},
            {"tenant", instance.tenant},
            {"status", instance.status},
            {"current_step", current_step.empty() ? json() : json(current_step)},
            {"steps", steps},
            {"input", ParseOr(instance.input_json, json::object())},
            {"result", ParseOr(instance.result_json, json())},
            {"error", ParseOr(instance.error_json, json())},
            {"created_at", FormatRfc3339(instance.created_at_ms)},
            {"updated_at", FormatRfc3339(instance.updated_at_ms)},
            {"version", instance.version}};
  if (!queued_behind.empty()) j["queued_behind"] = queued_behind;
  // Input is redacted when stored and errors when recorded; this also covers rows written
  // before that, and anything a step's error or a result carries: no view shows a secret.
  RedactJsonInPlace(j);
  return j;
}

}  // namespace slipway::engine
