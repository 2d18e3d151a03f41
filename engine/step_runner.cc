// engine/step_runner.cc: runs one claimed task: an activity attempt (recorded as its own
// started / succeeded / failed history events), a durable timer, or a serial-queue admission.
//
// An attempt is two checkpoints: "started" before the activity runs and its outcome after.
// A crash in between leaves the task leased; when the lease expires the task runs again as a
// new attempt with the same idempotency key, so the activity can find its own earlier effect.
// An attempt that answers NotDoneYet continues as looks (looks.cc): the same attempt, run
// again on a durable timer, with no "started" checkpoint of its own.
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>

#include "engine/activity_barrier.h"
#include "engine/base/redact.h"
#include "engine/step_runner.h"

namespace slipway::engine {

using nlohmann::json;

json ErrorJson(const Status& st) {
  // Stored in the context (at rest) and shown by every view: redacted like history.
  json e = {{"code", CodeName(st.code())}, {"message", RedactText(st.message())}};
  if (!st.field().empty()) e["field"] = st.field();
  if (st.retry_after_ms()) e["retry_after_ms"] = *st.retry_after_ms();
  if (!st.details().empty()) {
    json d = json::parse(st.details(), nullptr, false);
    // Steps' errors live in the stored context, which (unlike events) is not redacted on write.
    e["details"] = d.is_discarded() ? json(RedactText(st.details())) : RedactJson(d);
  }
  return e;
}

json NotDoneYet(json progress, int64_t after_ms) {
  if (!progress.is_object()) progress = json{{"state", std::move(progress)}};
  return json{{kNotDoneYetKey, {{"progress", std::move(progress)}, {"after_ms", after_ms}}}};
}

json NeedsLimit(json progress) {
  json answer = NotDoneYet(std::move(progress), 1);
  answer[kNotDoneYetKey]["limit"] = true;
  return answer;
}

int TaskPayloadInt(const storage::Task& task, const char* key) {
  json p = json::parse(task.payload_json, nullptr, false);
  return p.is_object() ? p.value(key, 0) : 0;
}

json WithStepError(json output, const Status& why) {
  SLIPWAY_CHECK(!why.ok() && (output.is_object() || output.is_null()));
  output[kStepErrorKey] = ErrorJson(why);
  return output;
}

namespace {

constexpr int kMaxConflictRetries = 8;
constexpr int kMaxContinuations = 32;  // then the task goes back to the queue

}  // namespace

void StepRunner::Run() {
  if (task_.kind == kAdmitTask) return Admit();
  if (task_.kind == kTimerTask) return FireTimer();
  RunActivity();
}

void StepRunner::Finish(Status st) {
  if (in_gate_) e_.gate_.Leave(suspect_);
  in_gate_ = false;
  Done done = std::move(done_);
  done(std::move(st));  // may release the last reference to this runner
}

void StepRunner::Checkpoint(const std::string& id, Decide decide, Then then) {
  TryCheckpoint(id, std::make_shared<const Decide>(std::move(decide)), std::move(then), 0, false);
}

void StepRunner::TryCheckpoint(const std::string& id, std::shared_ptr<const Decide> decide,
                               Then then, int tries, bool fresh) {
  for (; tries < kMaxConflictRetries; ++tries) {
    Result<Engine::Live> live = e_.LoadLive(id, fresh, /*take_context=*/true);
    if (!live.ok() && live.status().code() == Code::kNotFound) return then(e_.DeleteTask(task_));
    if (!live.ok() && IsTypeVersionUnregistered(live.status())) return Hold(id, std::move(then));
    if (!live.ok()) return then(live.status());
    const WorkflowType& type = *e_.FindType(live->instance.type, live->instance.type_version);
    Transition t(type, live->instance, e_.clock_.NowMs(), e_.options_.history,
                 std::move(live->context));
    std::unique_ptr<WorkflowMachine> m = live->machine->Clone();
    Result<bool> commit = (*decide)(*live, t, m);
    if (!commit.ok()) return then(commit.status());
    if (!*commit) {
      // Only the stored row may declare a task stale: the cache can lag behind a commit
      // that another worker thread (or process) made a moment ago.
      if (!fresh) {
        fresh = true;
        continue;
      }
      return then(e_.DeleteTask(task_));
    }
    t.HoldLease(task_);
    auto self = shared_from_this();
    e_.CommitTransitionAsync(
        t, std::move(m), live->input, executor_,
        [self, id, decide, then = std::move(then), tries](Status st) {
          if (st.code() != Code::kConflict) return then(st);
          self->TryCheckpoint(id, decide, then, tries + 1, /*fresh=*/true);
        });
    return;
  }
  then(Conflict("workflow " + id + " kept changing"));
}

bool StepRunner::Stale(const Engine::Live& live, Transition& t) const {
  return live.instance.state != task_.step ||
         t.step(task_.step).value("visits", 0) != TaskPayloadInt(task_, "visit");
}

void StepRunner::RunActivity() {
  // A step whose last attempt was lost may be what killed the process: it runs alone, so
  // that another death is its own (AttemptGate). Best effort: a step found lost only by
  // RecordStart (another node's attempt, seen after this read) still counts as lost. The
  // gate is held until the task is through, across its commits, so a queued entry holds no
  // thread: the Leave() that admits it hands it to the executor.
  // A look's step is `waiting`, never `running`: only a task that starts an attempt can
  // find its last attempt lost (and looks are most of the tasks of a busy node).
  looks_ = TaskPayloadInt(task_, "look");
  suspect_ = e_.options_.quarantine_after_lost > 0 && looks_ == 0 && LastAttemptLost();
  auto self = shared_from_this();
  auto start = [self] { self->executor_([self] { self->StartAttempt(); }); };
  if (!e_.gate_.EnterOrQueue(suspect_, start)) return;
  StartAttempt();
}

void StepRunner::StartAttempt() {
  in_gate_ = true;
  if (token_.cancelled()) {
    return Finish(Unavailable("cancelled while waiting for a suspect attempt to run alone"));
  }
  if (looks_ > 0) {  // a look of a waiting attempt (RunActivity read the task's count): nothing to commit before it runs
    Status started = PrepareLook();
    if (IsTypeVersionUnregistered(started)) {
      return Hold(task_.workflow_id, [this](Status st) { Finish(st); });
    }
    if (!started.ok() || attempt_ == 0) return Finish(started);
    return CallAndRecord(0);
  }
  Checkpoint(task_.workflow_id,
             [this](Engine::Live& live, Transition& t, auto& m) -> Result<bool> {
               return RecordStart(live, t, m);
             },
             [this](Status started) {
               if (!started.ok() || attempt_ == 0) return Finish(started);
               CallAndRecord(0);  // the start is durable: the activity may act
             });
}

// A step that succeeds into another activity step goes straight on in the same task row: its
// outcome and the next step's start are one checkpoint, and nothing is claimed.
void StepRunner::CallAndRecord(int hop) {
  Result<json> outcome = CallActivity();
  Status hit = e_.failpoints_.Hit("activity.after_call_before_record");
  if (!hit.ok()) return Finish(hit);
  if (token_.lease_lost()) {
    // Another node may own the task by now and run (or have run) it: recording this outcome
    // would speak for an attempt we may no longer hold. Whoever claims the task next sees
    // this attempt as lost (RecordStart) and runs the step again under the same key.
    return Finish(Unavailable("the lease of task " + std::to_string(task_.id) +
                              " was lost while its activity ran; its outcome is not recorded"));
  }
  if (TryQuietLook(outcome)) return;
  // A suspect holds the process alone: its next step queues like any other. While a
  // suspect waits, this worker hands its workflow back too, so the running attempts end.
  const bool may_continue = hop < kMaxContinuations && e_.continue_steps_.load() &&
                            !token_.cancelled() && !suspect_ && !e_.gate_.suspect_waiting();
  // A conflict re-decides from scratch: undo what a continuation changed in this runner.
  const storage::Task task = task_;
  const StateSpec* spec = spec_;
  const int attempt = attempt_;
  const int looks = looks_;
  auto recorded = std::make_shared<const Result<json>>(std::move(outcome));
  Checkpoint(
      task_.workflow_id,
      [this, task, spec, attempt, looks, recorded, may_continue](
          Engine::Live& live, Transition& t, auto& m) -> Result<bool> {
        task_ = task;
        spec_ = spec;
        attempt_ = attempt;
        looks_ = looks;
        return RecordOutcome(live, t, m, *recorded, may_continue, &continued_);
      },
      [this, hop](Status st) {
        if (!st.ok() || !continued_) return Finish(st);
        CallAndRecord(hop + 1);  // the next step's start is durable
      });
}

Result<json> StepRunner::CallActivity() {
  Activity* activity = e_.FindActivity(spec_->activity);
  if (activity == nullptr) return Internal("no activity registered as " + spec_->activity);
  // The call takes the shared input and outputs: a look's outputs are the cached context, and
  // a checkpoint after the call may take that context without copying it only once nobody
  // shares it (BeginAttempt or SetUpLook sets them again for the next call).
  ActivityCall call{task_.workflow_id, type_, tenant_, task_.step, attempt_, key_,
                    std::exchange(input_, SharedJson()), std::exchange(outputs_, SharedJson()),
                    0, &token_, progress_, looks_};
  call.limited = RunsInLimitClass();
  const TimeMs now = e_.clock_.NowMs();
  // 0 also after a NeedsLimit look: the attempt's time starts when it runs in its class.
  if (looks_ == 0 || attempt_started_ms_ == 0) attempt_started_ms_ = now;
  const TimeMs limit = WaitLimit();
  if (looks_ > 0 && limit > 0 && now >= limit) {
    // The progress may say in words what it waits for (activity.h): the error repeats it.
    const json said = progress_.is_object() ? progress_.value("message", json()) : json();
    return Status(Code::kDeadlineExceeded,
                  "the attempt was still waiting when its time ran out (" +
                      std::to_string(looks_) + " looks)" +
                      (said.is_string() ? ": " + said.get<std::string>() : ""))
        .WithDetails(progress_.dump(-1, ' ', false, json::error_handler_t::replace));
  }
  if (spec_->retry.attempt_timeout_ms > 0) {
    call.deadline_ms = attempt_started_ms_ + spec_->retry.attempt_timeout_ms;
  }
  e_.RegisterRunning(task_.workflow_id, &token_, call.deadline_ms);
  Result<json> outcome = RunBehindBarrier(*activity, call, e_.failpoints_);
  e_.UnregisterRunning(task_.workflow_id);
  if (!outcome.ok() && token_.timed_out()) {
    return Status(Code::kDeadlineExceeded, "attempt timed out after " +
                                               std::to_string(spec_->retry.attempt_timeout_ms) +
                                               " ms");
  }
  return outcome;
}

Result<bool> StepRunner::RecordStart(Engine::Live& live, Transition& t,
                                     std::unique_ptr<WorkflowMachine>& m) {
  const std::string& st = live.instance.status;
  if (st == status::kCancelling) {
    t.Finish(status::kCancelled, {{"reason", "cancelled before the step ran"}}, "engine");
    t.CompleteTask(task_.id, task_.lease_owner);
    return true;
  }
  if (st != status::kRunning || Stale(live, t)) return false;
  if (live.instance.last_seq >= e_.options_.history.max_events) {
    t.FailAt(task_.step, {{"code", "resource_exhausted"},
                          {"message", "history size limit reached"}}, "engine");
    t.CompleteTask(task_.id, task_.lease_owner);
    return true;
  }
  if (NoteLostAttempt(t)) {
    Quarantine(t, m);
    return true;
  }
  BeginAttempt(live, t);
  return true;
}

void StepRunner::BeginAttempt(const Engine::Live& live, Transition& t) {
  const storage::Instance& inst = live.instance;
  spec_ = &e_.FindType(inst.type, inst.type_version)->states.at(task_.step);
  json& s = t.step(task_.step);
  attempt_ = s.value("attempts", 0) + 1;
  s["attempts"] = attempt_;
  s["status"] = step_status::kRunning;
  if (!s.contains("started_at") || attempt_ == s.value("budget_base", 0) + 1) {
    s["started_at"] = t.now();
  }
  s.erase("next_attempt_at");
  s.erase("ended_at");
  for (const char* k : {"progress", "looks", "next_look_at", "attempt_started_at"}) s.erase(k);
  looks_ = 0;
  progress_ = json();
  first_attempt_at_ms_ = s.value("first_attempt_at", t.now());
  key_ = t.IdempotencyKey(task_.step);
  t.AddEvent("step_started", task_.step, attempt_, "engine",
             WithLease({{"idempotency_key", key_}, {"activity", spec_->activity}}));
  const json& ctx = t.context();
  type_ = inst.type;
  tenant_ = inst.tenant;
  input_ = InputOf(live);
  outputs_ = ctx.value("outputs", json::object());  // ctx is this checkpoint's, about to change
}

bool StepRunner::ContinueInto(const Engine::Live& live, Transition& t) {
  const storage::Task* next = t.NewActivityTaskDueNow();
  if (next == nullptr) return false;
  // We hold a slot of our own kind; another kind may be capped for the whole fleet.
  if (next->kind != task_.kind && e_.options_.kind_capacity.count(next->kind) > 0) return false;
  storage::Task moved = *next;
  moved.id = task_.id;
  moved.lease_owner = task_.lease_owner;
  moved.lease_token = task_.lease_token;
  moved.lease_until_ms = t.now() + e_.options_.lease_ms;
  t.ContinueTask(task_.id, moved);
  task_ = moved;
  BeginAttempt(live, t);
  return true;
}

SharedJson StepRunner::InputOf(const Engine::Live& live) {
  return live.input ? SharedJson(live.input)
                    : SharedJson(json::parse(live.instance.input_json, nullptr, false));
}

json StepRunner::WithLease(json data) const {
  data["lease_owner"] = task_.lease_owner;
  data["lease_token"] = task_.lease_token;
  data["task"] = task_.id;
  return data;
}

void StepRunner::Advance(Transition& t, std::unique_ptr<WorkflowMachine>& m,
                         const MachineEvent& ev, const char* event_type, json data,
                         const std::string& step, int attempt, const json& error) {
  bool handled = m->Process(ev);
  data["handled"] = handled;
  t.AddEvent(event_type, step, attempt, "engine", WithLease(std::move(data)));
  if (handled) {
    t.EnterState(*m, "engine");
  } else {
    t.FailAt(step, error.is_null() ? json{{"code", "internal"},
                                          {"message", "the workflow table has no transition"}}
                                   : error,
             "engine");
  }
}

Result<bool> StepRunner::RecordOutcome(Engine::Live& live, Transition& t,
                                       std::unique_ptr<WorkflowMachine>& m,
                                       const Result<json>& outcome, bool may_continue,
                                       bool* continued) {
  *continued = false;
  const std::string& st = live.instance.status;
  if (st == status::kCancelling) {
    json& s = t.step(task_.step);
    s["status"] = step_status::kFailed;
    s["ended_at"] = t.now();
    s["error"] = {{"code", "cancelled"}, {"message", "cancelled while running"}};
    t.Finish(status::kCancelled, {{"step", task_.step}}, "engine");
    t.CompleteTask(task_.id, task_.lease_owner);
    return true;
  }
  if (st != status::kRunning || Stale(live, t) ||
      t.step(task_.step).value("attempts", 0) != attempt_ ||
      t.step(task_.step).value("looks", 0) > looks_) {
    return false;  // cancelled, signalled elsewhere, or re-run after our lease was lost
  }
  t.CompleteTask(task_.id, task_.lease_owner);
  json& s = t.step(task_.step);
  if (looks_ > 0) s["looks"] = looks_;  // quiet looks since the last recorded one included
  s.erase("lost_attempts");  // an outcome: the attempts lost before it are no longer in a row
  if (outcome.ok() && outcome->is_object() && outcome->contains(kNotDoneYetKey)) {
    Status problem = LookProblem(t, *outcome);
    if (!problem.ok()) return RecordFailure(t, m, problem);
    RecordLook(t, *outcome);
    return true;
  }
  s.erase("next_look_at");
  if (outcome.ok()) {
    for (const char* k : {"progress", "looks", "attempt_started_at"}) s.erase(k);
    auto marked = outcome->find(kStepErrorKey);
    if (marked != outcome->end() && marked->is_object()) {
      // A failure that the table routes (see activity.h): failed to watchers, a success to
      // the machine.
      s["status"] = step_status::kFailed;
      s["error"] = RedactJson(*marked);
      t.context()["last_error"] = s["error"];
    } else {
      s["status"] = step_status::kSucceeded;
    }
    s["ended_at"] = t.now();
    t.context()["outputs"][task_.step] = *outcome;
    Advance(t, m, StepSucceeded{task_.step, *outcome}, "step_succeeded",
            {{"output", *outcome}}, task_.step, attempt_, json());
    if (may_continue) *continued = ContinueInto(live, t);
    return true;
  }
  return RecordFailure(t, m, outcome.status());
}

Result<bool> StepRunner::RecordFailure(Transition& t, std::unique_ptr<WorkflowMachine>& m,
                                       const Status& failure) {
  const StateSpec& spec = *spec_;
  json& s = t.step(task_.step);
  json error = ErrorJson(failure);
  int in_budget = attempt_ - s.value("budget_base", 0);
  RetryDecision d = e_.DecideRetryLocked(spec.retry, failure, in_budget, t.now(),
                                         s.value("first_attempt_at", t.now()));
  s["error"] = error;
  if (d.retry) {
    s["status"] = step_status::kRetrying;
    s["next_attempt_at"] = d.next_attempt_at_ms;
    t.AddEvent("step_failed", task_.step, attempt_, "engine",
               WithLease({{"error", error}, {"retry", true},
                          {"next_attempt_at", FormatRfc3339(d.next_attempt_at_ms)}}));
    // A state with limit_on_request starts each attempt outside its class again.
    t.AddTask(spec.limit_on_request ? ActivityTaskKind(spec) : task_.kind, task_.step,
              attempt_ + 1, d.next_attempt_at_ms,
              {{"visit", s.value("visits", 0)}});
    return true;
  }
  s["status"] = step_status::kFailed;
  s["ended_at"] = t.now();
  t.context()["last_error"] = error;
  error["attempts"] = attempt_;
  Advance(t, m, StepFailed{task_.step, error}, "step_failed",
          {{"error", error}, {"retry", false}, {"reason", d.reason}}, task_.step, attempt_,
          error);
  return true;
}

void StepRunner::FireTimer() {
  json payload = json::parse(task_.payload_json, nullptr, false);
  std::string purpose = payload.is_object() ? payload.value("purpose", "") : "";
  Checkpoint(task_.workflow_id, [this, purpose](Engine::Live& live, Transition& t,
                                                auto& m) -> Result<bool> {
    const std::string& st = live.instance.status;
    if (status::IsFinal(st)) return false;
    if (purpose == "workflow_deadline") {
      t.CompleteTask(task_.id, task_.lease_owner);
      e_.CancelRunning(task_.workflow_id);
      t.FailAt(live.instance.state, {{"code", "deadline_exceeded"},
                                     {"message", "the workflow ran past its deadline"}},
               "engine");
      return true;
    }
    if (st != status::kWaiting || Stale(live, t)) return false;
    t.CompleteTask(task_.id, task_.lease_owner);
    json& s = t.step(task_.step);
    s["status"] = step_status::kSucceeded;
    s["ended_at"] = t.now();
    Advance(t, m, TimerFired{purpose}, "timer_fired", {{"purpose", purpose}}, task_.step, 0,
            {{"code", "deadline_exceeded"},
             {"message", "no decision arrived before the wait timed out"}});
    return true;
  }, [this](Status st) { Finish(st); });
}

void StepRunner::Admit() {
  json payload = json::parse(task_.payload_json, nullptr, false);
  std::string key = payload.is_object() ? payload.value("serial_key", "") : "";
  Result<std::vector<std::string>> queue = e_.store_.SerialQueue(key);
  if (!queue.ok()) return Finish(queue.status());
  if (queue->empty()) return Finish(e_.DeleteTask(task_));
  const std::string head = queue->front();
  Checkpoint(head, [this, key](Engine::Live& live, Transition& t, auto& m) -> Result<bool> {
    if (live.instance.status != status::kQueued) return false;  // already admitted
    t.CompleteTask(task_.id, task_.lease_owner);
    t.AddEvent("workflow_admitted", "", 0, "engine", {{"serial_key", key}});
    t.EnterState(*m, "engine");
    return true;
  }, [this](Status st) { Finish(st); });
}

namespace {

// The executor of ExecuteTask: closures queue here and run on the thread that waits.
class WaitingLoop {
 public:
  Executor executor() {
    return [this](std::function<void()> f) {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back(std::move(f));
      cv_.notify_one();
    };
  }
  void RunOne() {
    std::function<void()> f;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return !queue_.empty(); });
      f = std::move(queue_.front());
      queue_.pop_front();
    }
    f();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
};

}  // namespace

void Engine::ExecuteTaskAsync(const storage::Task& task, CancellationToken& token,
                              Executor executor, std::function<void(Status)> done) {
  std::make_shared<StepRunner>(*this, task, token, std::move(executor), std::move(done))->Run();
}

Status Engine::ExecuteTask(const storage::Task& task, CancellationToken& token) {
  WaitingLoop loop;
  std::optional<Status> result;
  ExecuteTaskAsync(task, token, loop.executor(), [&result](Status st) { result = std::move(st); });
  while (!result) loop.RunOne();  // `done` runs on this thread: here or inside RunOne
  return *result;
}

Result<int> Engine::RunDueWork(int max_tasks) {
  int done = 0;
  while (done < max_tasks) {
    storage::ClaimRequest req;
    req.owner = options_.owner;
    req.now_ms = clock_.NowMs();
    req.lease_until_ms = req.now_ms + options_.lease_ms;
    req.limit = 64;
    Result<std::vector<storage::Task>> tasks = store_.ClaimTasks(req);
    if (!tasks.ok()) return tasks.status();
    if (tasks->empty()) break;
    for (const auto& task : *tasks) {
      CancellationToken token;
      Status st = ExecuteTask(task, token);
      if (!st.ok() && st.code() != Code::kUnavailable) return st;
      ++done;
    }
  }
  return done;
}

}  // namespace slipway::engine
