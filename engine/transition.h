// engine/transition.h: builds one checkpoint of one workflow.
//
// A Transition starts from the instance as last committed, collects the changes of one step
// of the workflow (state, status, steps view, history events with their hash chain, tasks and
// timers to create, tasks that are done) and yields a storage::Checkpoint that the store
// commits atomically. It also knows what entering a state means (run an activity, wait, end)
// and what finishing a workflow writes (result or error, serial queue release). Pure: no I/O.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/base/clock.h"
#include "engine/machine.h"
#include "engine/workflow_type.h"
#include "storage/store.h"

namespace slipway::engine {

struct HistoryLimits {
  int max_events = 10'000;
  int warn_events = 8'000;
};

// Persisted names of workflow and step statuses.
namespace status {
inline constexpr const char* kQueued = "queued";
inline constexpr const char* kRunning = "running";
inline constexpr const char* kWaiting = "waiting";
inline constexpr const char* kCompleted = "completed";
inline constexpr const char* kFailed = "failed";
inline constexpr const char* kCancelling = "cancelling";
inline constexpr const char* kCancelled = "cancelled";
bool IsFinal(const std::string& s);
}  // namespace status

namespace step_status {
inline constexpr const char* kPending = "pending";
inline constexpr const char* kRunning = "running";
inline constexpr const char* kRetrying = "retrying";
inline constexpr const char* kWaiting = "waiting";
inline constexpr const char* kSucceeded = "succeeded";
inline constexpr const char* kFailed = "failed";
inline constexpr const char* kSkipped = "skipped";
}  // namespace step_status

// Task kinds.
inline constexpr const char* kTimerTask = "timer";
inline constexpr const char* kAdmitTask = "admit";
std::string ActivityTaskKind(const StateSpec& spec);
// The kind of a task that runs in the state's limit_class (for limit_on_request states, once
// the attempt asked for it; else ActivityTaskKind).
std::string LimitedTaskKind(const StateSpec& spec);
// The idempotency key of a step of workflow `id` on its `visit`-th visit after `resume_count`
// resumes (see Transition::IdempotencyKey).
std::string IdempotencyKeyOf(const std::string& id, const std::string& step, int visit,
                             int resume_count);

class Transition {
 public:
  // Continues `current` (version V) into version V+1. `parsed_context`, when given, is
  // current.context_json already parsed (the engine caches it): it saves a parse per step,
  // and a copy too when the caller holds the only reference.
  Transition(const WorkflowType& type, const storage::Instance& current, TimeMs now,
             const HistoryLimits& limits,
             std::shared_ptr<nlohmann::json> parsed_context = nullptr);
  // A new instance: expected_version 0, version 1.
  static Transition Create(const WorkflowType& type, storage::Instance fresh, TimeMs now,
                           const HistoryLimits& limits);

  storage::Instance& instance() { return next_; }
  nlohmann::json& context() { return context_; }
  nlohmann::json& step(const std::string& name);
  int visit(const std::string& state) const;
  int resume_count() const { return context_.value("resume_count", 0); }
  std::string IdempotencyKey(const std::string& step) const;
  TimeMs now() const { return now_; }

  void AddEvent(const std::string& type, const std::string& step, int attempt,
                const std::string& actor, nlohmann::json data);
  void AddTask(const std::string& kind, const std::string& step, int attempt, TimeMs due,
               nlohmann::json payload);
  void CompleteTask(int64_t id, const std::string& lease_owner);
  // This transition is made by the holder of `task`'s lease (its owner and fencing token, as
  // claimed): the store refuses the checkpoint (kConflict) if that lease was taken over
  // since, whatever the transition does with the task (Checkpoint::held_task_id).
  void HoldLease(const storage::Task& task) {
    cp_.held_task_id = task.id;
    cp_.lease_owner = task.lease_owner;
    cp_.lease_token = task.lease_token;
  }
  // The activity task this transition created that is due now, if any.
  const storage::Task* NewActivityTaskDueNow() const;
  // Instead of completing task `done_id` and inserting the new activity task, rewrites the
  // done task's row into `next` (it keeps its lease): see Checkpoint::continued_tasks.
  void ContinueTask(int64_t done_id, const storage::Task& next);

  // Enters machine.state(): schedules its activity, starts waiting, or ends the workflow.
  void EnterState(const WorkflowMachine& machine, const std::string& actor);
  // Fails the workflow at `step` (a failure the table does not route).
  void FailAt(const std::string& step, const nlohmann::json& error, const std::string& actor);
  // Ends the workflow with a final status; releases its serial slot.
  void Finish(const char* final_status, nlohmann::json payload, const std::string& actor);
  // Queues the workflow behind its tenant's active one (serial types).
  void Enqueue(const std::string& actor);

  // Once, at the end: moves the checkpoint out (instance() and context() stay readable).
  storage::Checkpoint Build();

 private:
  void MarkSkippedBetween(const std::string& from, const std::string& to);
  void MarkPendingSkipped();
  void WarnIfHistoryLarge();

  const WorkflowType& type_;
  TimeMs now_;
  HistoryLimits limits_;
  storage::Instance next_;
  nlohmann::json context_;
  storage::Checkpoint cp_;
};

}  // namespace slipway::engine
