// engine/looks.cc: the looks of an attempt that waits on the outside world (activity.h,
// NotDoneYet).
//
// A look is recorded in the step's context (status `waiting`, its progress, how many looks,
// when the next is due, when the attempt began) together with a task row due at the next look:
// a durable timer, so no worker waits and a restarted process carries on from the progress.
// The next look runs the same attempt again without a "started" checkpoint (a look is a cheap
// read; its outcome is the only write). A look whose progress differs from the recorded one
// (and the first) is a checkpoint, with a `step_progress` event when its state changed; a
// quiet look (the very same progress: a build still BUILDING) only moves its task row to the
// next look, carrying the look count (TryQuietLook), so 10,000 waiting deployments do not
// rewrite 10,000 workflows every few seconds. The step's recorded `looks` and `next_look_at` are those of the last recorded look
// (at most the task's). Looks that were not recorded (the process died, the lease was lost)
// simply run again: every write of a look is fenced by the task's lease (a look run twice
// commits once), and a recorded look replaces the task row. A look due after the attempt's time
// (WaitLimit) ends it as kDeadlineExceeded without calling the activity (CallActivity); the
// error's message repeats progress["message"] when the activity said in words what it waits
// for (e.g. the DNS records to set).
//
// NeedsLimit (a state with limit_on_request) is a look whose task moves to the state's
// limit_class: the next look is claimed only when a slot of the class is free, and the
// attempt's clock (attempt_started_at) is cleared, so its timeout starts when it runs there.
// NeedsLimit anywhere else (a state without limit_on_request, an attempt already in its class)
// is a bug of the activity: the attempt fails as kInternal (retried by the policy) instead of
// being looked at again every millisecond.
#include "engine/base/clock.h"
#include "engine/step_runner.h"

namespace slipway::engine {

using nlohmann::json;

namespace {

const json* StepIn(const json& context, const std::string& step) {
  auto steps = context.find("steps");
  if (steps == context.end() || !steps->is_object()) return nullptr;
  auto s = steps->find(step);
  return s != steps->end() && s->is_object() ? &*s : nullptr;
}

// What a change of is worth a history event: progress["state"], else the whole progress.
std::string ProgressState(const json& progress) {
  if (progress.is_object()) {
    auto state = progress.find("state");
    if (state != progress.end() && state->is_string()) return state->get<std::string>();
  }
  return progress.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

Status StepRunner::PrepareLook() {
  // The cache may lag behind a commit another thread made a moment ago: only the stored row
  // may declare the look stale.
  for (bool fresh : {false, true}) {
    Result<Engine::Live> live = e_.LoadLive(task_.workflow_id, fresh, /*take_context=*/false,
                                            /*light=*/true);
    if (!live.ok() && live.status().code() == Code::kNotFound) return e_.DeleteTask(task_);
    if (!live.ok()) return live.status();
    std::shared_ptr<const json> context = live->context;
    if (context == nullptr) {
      context = std::make_shared<const json>(
          json::parse(live->instance.context_json, nullptr, false));
    }
    if (!context->is_object()) continue;
    const json* s = StepIn(*context, task_.step);
    if (live->instance.status == status::kRunning && live->instance.state == task_.step &&
        s != nullptr && s->value("status", "") == step_status::kWaiting &&
        s->value("visits", 0) == TaskPayloadInt(task_, "visit") &&
        s->value("looks", 0) <= looks_) {
      SetUpLook(*live, context, *s);
      return Status::Ok();
    }
  }
  return e_.DeleteTask(task_);  // cancelled, finished, or this look was recorded already
}

void StepRunner::SetUpLook(const Engine::Live& live, const std::shared_ptr<const json>& shared,
                           const json& s) {
  const json& context = *shared;
  const storage::Instance& inst = live.instance;
  const WorkflowType* type = e_.FindType(inst.type, inst.type_version);
  SLIPWAY_CHECK(type != nullptr);  // LoadLive replays only registered types
  spec_ = &type->states.at(task_.step);
  attempt_ = s.value("attempts", 0);
  key_ = IdempotencyKeyOf(inst.id, task_.step, s.value("visits", 0),
                          context.value("resume_count", 0));
  type_ = inst.type;
  tenant_ = inst.tenant;
  input_ = InputOf(live);
  // A view into the context, which nobody changes while we share it (shared_json.h).
  auto outputs = context.find("outputs");
  outputs_ = outputs != context.end()
                 ? SharedJson(std::shared_ptr<const json>(shared, &*outputs))
                 : SharedJson(json::object());
  progress_ = s.value("progress", json());
  attempt_started_ms_ = s.value("attempt_started_at", TimeMs{0});
  first_attempt_at_ms_ = s.value("first_attempt_at", s.value("started_at", attempt_started_ms_));
}

bool StepRunner::RunsInLimitClass() const {
  return !spec_->limit_on_request || task_.kind == LimitedTaskKind(*spec_);
}

TimeMs StepRunner::WaitLimit() const {
  const RetryPolicy& p = spec_->retry;
  TimeMs limit = 0;
  if (p.attempt_timeout_ms > 0 && attempt_started_ms_ > 0) {
    limit = attempt_started_ms_ + p.attempt_timeout_ms;
  }
  if (p.deadline_ms > 0) {
    const TimeMs step_deadline = first_attempt_at_ms_ + p.deadline_ms;
    limit = limit == 0 ? step_deadline : std::min(limit, step_deadline);
  }
  return limit;
}

Status StepRunner::LookProblem(Transition& t, const json& answer) const {
  const json& look = answer.at(kNotDoneYetKey);
  if (!look.is_object() || !look.contains("progress") || !look["progress"].is_object()) {
    return Internal("a NotDoneYet answer without a progress object");
  }
  // NeedsLimit is for a limit_on_request state's attempt outside its class: anywhere else it
  // would move the task nowhere and be looked at again every millisecond.
  if (look.value("limit", false) && (!spec_->limit_on_request || RunsInLimitClass())) {
    return Internal(spec_->limit_on_request
                        ? "NeedsLimit from an attempt that already runs in its limit class"
                        : "NeedsLimit from a state without limit_on_request");
  }
  const size_t bytes =
      look["progress"].dump(-1, ' ', false, json::error_handler_t::replace).size();
  if (bytes > kMaxProgressBytes) {
    return Internal("the progress of a waiting step is " + std::to_string(bytes) +
                    " bytes, over the " + std::to_string(kMaxProgressBytes) + " kept");
  }
  // Room for this look's event and the step's and the workflow's last ones.
  if (t.instance().last_seq + 3 >= e_.options_.history.max_events) {
    return ResourceExhausted("history size limit reached while the step was waiting");
  }
  return Status::Ok();
}

TimeMs StepRunner::NextLookDue(const json& look, TimeMs now) const {
  int64_t after = look.value("after_ms", int64_t{1000});
  after = std::max<int64_t>(1, std::min(after, kMaxLookDelayMs));
  TimeMs due = now + after;
  const TimeMs limit = WaitLimit();
  if (limit > 0) due = std::min(due, limit);  // that look then ends the attempt as timed out
  return due;
}

bool StepRunner::TryQuietLook(const Result<json>& outcome) {
  if (looks_ == 0 || !outcome.ok() || !outcome->is_object() || token_.cancelled()) return false;
  auto it = outcome->find(kNotDoneYetKey);
  if (it == outcome->end() || !it->is_object()) return false;
  auto progress = it->find("progress");
  // The next look is handed the recorded progress: only a look that saw exactly that (not
  // merely the same state: promote's progress also says whether the branch moved) is quiet.
  if (progress == it->end() || *progress != progress_) return false;
  if (it->value("limit", false)) return false;  // its task moves to the limit class
  const TimeMs due = NextLookDue(*it, e_.clock_.NowMs());
  json payload = json::parse(task_.payload_json, nullptr, false);
  if (!payload.is_object()) return false;
  payload["look"] = looks_ + 1;
  Finish(e_.store_.RescheduleTask(task_, due, payload.dump()));
  return true;
}

void StepRunner::RecordLook(Transition& t, const json& answer) {
  const json& look = answer.at(kNotDoneYetKey);
  const json& progress = look["progress"];
  // An attempt that asks for its class waits for a slot with its clock stopped (WaitLimit).
  const bool to_class = look.value("limit", false) && !RunsInLimitClass();
  if (to_class) attempt_started_ms_ = 0;
  const TimeMs due = NextLookDue(look, t.now());
  json& s = t.step(task_.step);
  const bool changed =
      looks_ == 0 || ProgressState(progress) != ProgressState(s.value("progress", json()));
  const int looks = looks_ + 1;
  s["status"] = step_status::kWaiting;
  s["looks"] = looks;
  s["progress"] = progress;
  s["next_look_at"] = due;
  if (attempt_started_ms_ > 0) {
    s["attempt_started_at"] = attempt_started_ms_;
  } else {
    s.erase("attempt_started_at");
  }
  if (changed) {
    t.AddEvent("step_progress", task_.step, attempt_, "engine",
               WithLease({{"progress", progress}, {"looks", looks},
                          {"next_look_at", FormatRfc3339(due)}}));
  }
  t.AddTask(to_class ? LimitedTaskKind(*spec_) : task_.kind, task_.step, attempt_, due,
            {{"visit", s.value("visits", 0)}, {"look", looks}});
}

}  // namespace slipway::engine
