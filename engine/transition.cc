#include "engine/transition.h"

#include <algorithm>

#include "engine/base/history_chain.h"
#include "engine/base/redact.h"

namespace slipway::engine {

using nlohmann::json;

namespace {

// Activity output may hold bytes that are not UTF-8 (build logs): they are replaced (U+FFFD),
// never thrown about. The text is canonical: keys sorted, no spaces.
std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

bool status::IsFinal(const std::string& s) {
  return s == kCompleted || s == kFailed || s == kCancelled;
}

std::string LimitedTaskKind(const StateSpec& spec) {
  return "activity:" + (spec.limit_class.empty() ? spec.activity : spec.limit_class);
}

std::string ActivityTaskKind(const StateSpec& spec) {
  return spec.limit_on_request ? "activity:" + spec.activity : LimitedTaskKind(spec);
}

Transition::Transition(const WorkflowType& type, const storage::Instance& current, TimeMs now,
                       const HistoryLimits& limits, std::shared_ptr<json> parsed_context)
    : type_(type), now_(now), limits_(limits), next_(current) {
  if (parsed_context && parsed_context.use_count() == 1) {
    context_ = std::move(*parsed_context);
  } else if (parsed_context) {
    context_ = *parsed_context;
  } else {
    context_ = json::parse(current.context_json.empty() ? "{}" : current.context_json, nullptr,
                           false);
  }
  if (!context_.is_object()) context_ = json::object();
  cp_.expected_version = current.version;
  next_.version = current.version + 1;
  next_.updated_at_ms = now;
}

Transition Transition::Create(const WorkflowType& type, storage::Instance fresh, TimeMs now,
                              const HistoryLimits& limits) {
  fresh.version = 0;
  fresh.last_seq = 0;
  fresh.last_hash = kGenesisHash;
  fresh.created_at_ms = now;
  Transition t(type, fresh, now, limits);
  for (const auto& s : type.steps) t.step(s);
  return t;
}

json& Transition::step(const std::string& name) {
  json& s = context_["steps"][name];
  if (s.is_null()) {
    s = {{"status", step_status::kPending}, {"attempts", 0}, {"budget_base", 0}, {"visits", 0}};
  }
  return s;
}

int Transition::visit(const std::string& state) const {
  auto steps = context_.find("steps");
  if (steps == context_.end() || !steps->contains(state)) return 0;
  return (*steps)[state].value("visits", 0);
}

std::string IdempotencyKeyOf(const std::string& id, const std::string& step, int visit,
                             int resume_count) {
  // Stable across retries and restarts; a new loop visit or an ops resume is a new effect.
  std::string key = id + "/" + step;
  if (visit > 1) key += "#v" + std::to_string(visit);
  if (resume_count > 0) key += "#r" + std::to_string(resume_count);
  return key;
}

std::string Transition::IdempotencyKey(const std::string& step_name) const {
  return IdempotencyKeyOf(next_.id, step_name, visit(step_name), resume_count());
}

void Transition::AddEvent(const std::string& type, const std::string& step_name, int attempt,
                          const std::string& actor, json data) {
  storage::HistoryEvent e;
  e.workflow_id = next_.id;
  e.seq = next_.last_seq + 1;
  e.at_ms = now_;
  e.type = type;
  e.step = step_name;
  e.attempt = attempt;
  e.actor = actor;
  if (data.is_null()) data = json::object();
  RedactJsonInPlace(data);
  e.data_json = Dump(data);
  e.prev_hash = next_.last_hash.empty() ? kGenesisHash : next_.last_hash;
  ChainedFields f{e.workflow_id, e.seq, e.at_ms, e.type, e.step, e.attempt, e.actor, e.data_json};
  e.hash = ChainHashOfCanonicalData(e.prev_hash, f);
  next_.last_seq = e.seq;
  next_.last_hash = e.hash;
  cp_.events.push_back(std::move(e));
  WarnIfHistoryLarge();
}

void Transition::WarnIfHistoryLarge() {
  if (next_.last_seq < limits_.warn_events || context_.value("history_warned", false)) return;
  context_["history_warned"] = true;
  AddEvent("history_size_warning", "", 0, "engine",
           {{"events", next_.last_seq}, {"limit", limits_.max_events}});
}

void Transition::AddTask(const std::string& kind, const std::string& step_name, int attempt,
                         TimeMs due, json payload) {
  storage::Task t;
  t.workflow_id = next_.id;
  t.kind = kind;
  t.step = step_name;
  t.attempt = attempt;
  t.due_at_ms = due;
  t.payload_json = payload.dump();
  cp_.new_tasks.push_back(std::move(t));
}

void Transition::CompleteTask(int64_t id, const std::string& lease_owner) {
  cp_.done_task_ids.push_back(id);
  cp_.lease_owner = lease_owner;
}

const storage::Task* Transition::NewActivityTaskDueNow() const {
  for (const auto& t : cp_.new_tasks) {
    if (t.kind.rfind("activity:", 0) == 0 && t.due_at_ms <= now_) return &t;
  }
  return nullptr;
}

void Transition::ContinueTask(int64_t done_id, const storage::Task& next) {
  auto& done = cp_.done_task_ids;
  done.erase(std::remove(done.begin(), done.end(), done_id), done.end());
  auto& fresh = cp_.new_tasks;
  fresh.erase(std::remove_if(fresh.begin(), fresh.end(),
                             [](const storage::Task& t) {
                               return t.kind.rfind("activity:", 0) == 0;
                             }),
              fresh.end());
  cp_.continued_tasks.push_back(next);
}

void Transition::EnterState(const WorkflowMachine& machine, const std::string& actor) {
  const std::string from = next_.state;
  const std::string& to = machine.state();
  auto it = type_.states.find(to);
  SLIPWAY_CHECK(it != type_.states.end());  // every table state has a spec: a wiring bug else
  const StateSpec& spec = it->second;
  next_.state = to;
  MarkSkippedBetween(from, to);
  switch (spec.kind) {
    case StateKind::kActivity: {
      json& s = step(to);
      // Re-entering the failed step on resume is the same visit: the resume count, not the
      // visit, makes its idempotency key new.
      bool resuming = context_.value("resuming", false) && to == from;
      context_.erase("resuming");
      if (!resuming || s.value("visits", 0) == 0) s["visits"] = s.value("visits", 0) + 1;
      s["status"] = step_status::kPending;
      s["budget_base"] = s.value("attempts", 0);
      s["first_attempt_at"] = now_;
      s.erase("error");
      s.erase("next_attempt_at");
      next_.status = status::kRunning;
      AddTask(ActivityTaskKind(spec), to, s.value("attempts", 0) + 1, now_,
              {{"visit", s["visits"]}});
      return;
    }
    case StateKind::kWait: {
      json& s = step(to);
      s["visits"] = s.value("visits", 0) + 1;
      s["status"] = step_status::kWaiting;
      s["started_at"] = now_;
      next_.status = status::kWaiting;
      int64_t timeout = spec.wait_timeout_ms;
      json input = json::parse(next_.input_json, nullptr, false);
      if (!spec.wait_timeout_input_key.empty() && input.is_object() &&
          input.contains(spec.wait_timeout_input_key) &&
          input[spec.wait_timeout_input_key].is_number()) {
        timeout = static_cast<int64_t>(input[spec.wait_timeout_input_key].get<double>() * 1000);
      }
      AddEvent("waiting", to, 0, actor,
               timeout > 0 ? json{{"until", FormatRfc3339(now_ + timeout)}} : json::object());
      if (timeout > 0) {
        AddTask(kTimerTask, to, 0, now_ + timeout,
                {{"purpose", "wait_timeout"}, {"visit", s["visits"]}});
      }
      return;
    }
    case StateKind::kCompleted: {
      json outputs = context_.value("outputs", json::object());
      Finish(status::kCompleted,
             type_.build_result
                 ? type_.build_result(outputs, context_.value("steps", json::object()))
                 : outputs,
             actor);
      return;
    }
    case StateKind::kFailed:
      Finish(status::kFailed,
             {{"code", "failed"},
              {"message", spec.failure_message.empty() ? "workflow failed" : spec.failure_message},
              {"state", to},
              {"cause", context_.value("last_error", json())}},
             actor);
      return;
  }
}

void Transition::FailAt(const std::string& step_name, const json& error, const std::string& actor) {
  json& s = step(step_name);
  s["status"] = step_status::kFailed;
  s["ended_at"] = now_;
  s["error"] = error;
  json payload = error;
  payload["step"] = step_name;
  Finish(status::kFailed, payload, actor);
}

void Transition::Finish(const char* final_status, json payload, const std::string& actor) {
  next_.status = final_status;
  std::string event;
  if (std::string(final_status) == status::kCompleted) {
    MarkPendingSkipped();
    next_.result_json = Dump(RedactJson(payload));
    next_.error_json.clear();
    event = "workflow_completed";
  } else if (std::string(final_status) == status::kFailed) {
    next_.error_json = Dump(RedactJson(payload));
    event = "workflow_failed";
  } else {
    MarkPendingSkipped();
    event = "workflow_cancelled";
  }
  AddEvent(event, "", 0, actor, payload);
  cp_.cancel_other_tasks = true;
  if (!next_.serial_key.empty()) {
    cp_.serial = storage::Checkpoint::Serial::kDequeue;
    AddTask(kAdmitTask, "", 0, now_, {{"serial_key", next_.serial_key}});
  }
}

void Transition::Enqueue(const std::string& actor) {
  next_.status = status::kQueued;
  cp_.serial = storage::Checkpoint::Serial::kEnqueue;
  AddEvent("workflow_queued", "", 0, actor, {{"serial_key", next_.serial_key}});
  AddTask(kAdmitTask, "", 0, now_, {{"serial_key", next_.serial_key}});
}

void Transition::MarkSkippedBetween(const std::string& from, const std::string& to) {
  const auto& steps = type_.steps;
  auto a = std::find(steps.begin(), steps.end(), from);
  auto b = std::find(steps.begin(), steps.end(), to);
  if (a == steps.end() || b == steps.end() || a >= b) return;
  for (auto it = a + 1; it != b; ++it) {
    json& s = step(*it);
    if (s.value("status", "") == step_status::kPending) s["status"] = step_status::kSkipped;
  }
}

void Transition::MarkPendingSkipped() {
  for (const auto& name : type_.steps) {
    json& s = step(name);
    if (s.value("status", "") == step_status::kPending) s["status"] = step_status::kSkipped;
  }
}

storage::Checkpoint Transition::Build() {
  next_.context_json = Dump(context_);
  cp_.instance = next_;
  return std::move(cp_);
}

}  // namespace slipway::engine
