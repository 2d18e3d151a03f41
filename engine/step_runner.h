// engine/step_runner.h: StepRunner, which runs one claimed task (engine-internal; see
// step_runner.cc for the activity path, timers and admission, lost_attempts.cc for lost
// attempts and quarantine, and looks.cc for the looks of a waiting attempt). One StepRunner per
// task execution, held by shared_ptr: it waits for no checkpoint on a thread. Each checkpoint
// goes to the committer, and the runner's next piece of work runs on its executor once that
// checkpoint is durable; one piece at a time, so its members need no lock.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/engine.h"

namespace slipway::engine {

// payload[key] of a task as an int (0 when absent): "visit", "look".
int TaskPayloadInt(const storage::Task& task, const char* key);

// What Engine::LoadLive answers for an instance whose type is registered in this process, but
// not in the version the instance started on (versions.cc): kFailedPrecondition, field
// "type_version", naming the type and version.
Status TypeVersionUnregistered(const std::string& type, int64_t version);
bool IsTypeVersionUnregistered(const Status& st);

class StepRunner : public std::enable_shared_from_this<StepRunner> {
 public:
  using Done = std::function<void(Status)>;
  StepRunner(Engine& e, const storage::Task& task, CancellationToken& token, Executor executor,
             Done done)
      : e_(e), task_(task), token_(token), executor_(std::move(executor)), done_(std::move(done)) {}

  // Runs until the first checkpoint is handed over; `done` runs when the task is through.
  void Run();

 private:
  // Loads, lets `decide` fill a transition, commits; reloads on conflict. `decide` returns
  // false when there is nothing to commit (the task is stale and was deleted). `then` runs
  // (on the executor, or here) with the outcome once the checkpoint is durable or refused.
  using Decide = std::function<Result<bool>(Engine::Live&, Transition&,
                                            std::unique_ptr<WorkflowMachine>&)>;
  using Then = std::function<void(Status)>;
  void Checkpoint(const std::string& id, Decide decide, Then then);
  void TryCheckpoint(const std::string& id, std::shared_ptr<const Decide> decide, Then then,
                     int tries, bool fresh);
  bool Stale(const Engine::Live& live, Transition& t) const;
  void Finish(Status st);  // leaves the gate, then done_

  // The activity path (step_runner.cc).
  void RunActivity();
  void StartAttempt();      // admitted by the gate: records the start
  void CallAndRecord(int hop);  // the start is durable: runs the activity, records its outcome
  Result<bool> RecordStart(Engine::Live& live, Transition& t,
                           std::unique_ptr<WorkflowMachine>& m);
  void BeginAttempt(const Engine::Live& live, Transition& t);
  Result<bool> RecordOutcome(Engine::Live& live, Transition& t,
                             std::unique_ptr<WorkflowMachine>& m,
                             const Result<nlohmann::json>& outcome, bool may_continue,
                             bool* continued);
  bool ContinueInto(const Engine::Live& live, Transition& t);
  Result<nlohmann::json> CallActivity();
  Result<bool> RecordFailure(Transition& t, std::unique_ptr<WorkflowMachine>& m,
                             const Status& failure);
  // `data` plus who ran the attempt: "lease_owner" (EngineOptions::owner of this process;
  // slipwayd's is "<node name>#<start ms>"), "lease_token" (the claim's fencing token) and
  // "task". Added to the attempt events (step_started, step_succeeded, step_failed) so that
  // history shows which node ran each attempt under which lease.
  nlohmann::json WithLease(nlohmann::json data) const;
  // The workflow's input: the cache's parsed one, shared, or parsed from the row.
  static SharedJson InputOf(const Engine::Live& live);
  void Advance(Transition& t, std::unique_ptr<WorkflowMachine>& m, const MachineEvent& ev,
               const char* event_type, nlohmann::json data, const std::string& step,
               int attempt, const nlohmann::json& error);
  // Lost attempts and quarantine (lost_attempts.cc).
  bool LastAttemptLost();
  bool NoteLostAttempt(Transition& t);
  void Quarantine(Transition& t, std::unique_ptr<WorkflowMachine>& m);
  // The workflow's type version is not registered here (versions.cc): fails it with code
  // "type_version_unregistered" (ops resume it where that version runs) instead of running
  // it on another version's table; a finished workflow's leftover task is only deleted.
  void Hold(const std::string& id, Then then, int tries = 0);
  // Looks of a waiting attempt (looks.cc): a task carrying "look" runs the same attempt again
  // with the last look's progress; nothing is committed before the activity runs.
  Status PrepareLook();
  void SetUpLook(const Engine::Live& live, const std::shared_ptr<const nlohmann::json>& context,
                 const nlohmann::json& step);
  // When this attempt must have ended: its timeout from its first look, or the step's
  // deadline, whichever comes first (0 = none).
  TimeMs WaitLimit() const;
  // Whether this task runs in its state's limit_class: always, unless the state is
  // limit_on_request and the attempt has not asked for it yet (NeedsLimit).
  bool RunsInLimitClass() const;
  // Ok when a NotDoneYet answer can be recorded as a look, else the failure it becomes.
  Status LookProblem(Transition& t, const nlohmann::json& answer) const;
  void RecordLook(Transition& t, const nlohmann::json& answer);
  // A look whose progress is the one last recorded is not a checkpoint: its task only
  // moves to the next look (Store::RescheduleTask, fenced by the lease, no fsync). Returns
  // false when `outcome` is not such a look (it is then recorded as a checkpoint).
  bool TryQuietLook(const Result<nlohmann::json>& outcome);
  TimeMs NextLookDue(const nlohmann::json& look, TimeMs now) const;
  // Timers and serial-queue admission (step_runner.cc).
  void FireTimer();
  void Admit();

  Engine& e_;
  storage::Task task_;  // a copy: a continued task moves on to the next step
  CancellationToken& token_;
  Executor executor_;
  Done done_;
  bool suspect_ = false;   // the step's last attempt was lost: it runs alone
  bool in_gate_ = false;   // admitted by the AttemptGate: Leave() when done
  bool continued_ = false;  // the last outcome went straight on into the next step
  const StateSpec* spec_ = nullptr;
  int attempt_ = 0;
  std::string key_, type_, tenant_;
  SharedJson input_, outputs_;  // shared with the engine's cache, never copied for a look
  int looks_ = 0;                 // looks of this attempt recorded before this run
  nlohmann::json progress_;       // the last recorded look's progress (null: none)
  TimeMs attempt_started_ms_ = 0; // the attempt's first look began
  TimeMs first_attempt_at_ms_ = 0;  // the step's first attempt (its deadline runs from it)
};

}  // namespace slipway::engine
