// engine/step_runner.h: StepRunner, which runs one claimed task (engine-internal; see
// step_runner.cc for the activity path, timers and admission, and lost_attempts.cc for lost
// attempts and quarantine). One StepRunner per task execution, on one thread.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/engine.h"

namespace slipway::engine {

class StepRunner {
 public:
  StepRunner(Engine& e, const storage::Task& task, CancellationToken& token)
      : e_(e), task_(task), token_(token) {}

  Status Run();

 private:
  // Loads, lets `decide` fill a transition, commits; reloads on conflict. `decide` returns
  // false when there is nothing to commit (the task is stale and was deleted).
  using Decide = std::function<Result<bool>(Engine::Live&, Transition&,
                                            std::unique_ptr<WorkflowMachine>&)>;
  Status Checkpoint(const std::string& id, const Decide& decide);
  bool Stale(const Engine::Live& live, Transition& t) const;

  // The activity path (step_runner.cc).
  Status RunActivity();
  Result<bool> RecordStart(Engine::Live& live, Transition& t,
                           std::unique_ptr<WorkflowMachine>& m);
  void BeginAttempt(const Engine::Live& live, Transition& t);
  Result<bool> RecordOutcome(Engine::Live& live, Transition& t,
                             std::unique_ptr<WorkflowMachine>& m,
                             const Result<nlohmann::json>& outcome, bool may_continue,
                             bool* continued);
  bool ContinueInto(const Engine::Live& live, Transition& t);
  Result<nlohmann::json> CallActivity();
  void Advance(Transition& t, std::unique_ptr<WorkflowMachine>& m, const MachineEvent& ev,
               const char* event_type, nlohmann::json data, const std::string& step,
               int attempt, const nlohmann::json& error);
  // Lost attempts and quarantine (lost_attempts.cc).
  bool LastAttemptLost();
  bool NoteLostAttempt(Transition& t);
  void Quarantine(Transition& t, std::unique_ptr<WorkflowMachine>& m);
  // Timers and serial-queue admission (step_runner.cc).
  Status FireTimer();
  Status Admit();

  Engine& e_;
  storage::Task task_;  // a copy: a continued task moves on to the next step
  CancellationToken& token_;
  const StateSpec* spec_ = nullptr;
  int attempt_ = 0;
  std::string key_, type_, tenant_;
  nlohmann::json input_, outputs_;
};

}  // namespace slipway::engine
