// engine/engine.h: the Engine API: start, get, list, history, cancel, resume, signal, and the
// execution of due tasks (by the Scheduler, or inline by RunDueWork in tests).
//
// Every change of a workflow is one Transition committed as one checkpoint (state + history
// events + next task/timer) with compare-and-set on the instance version; a conflict reloads
// and re-decides. Machines are cached per workflow and rebuilt after a restart by replaying the
// recorded outcome events through the workflow's MSM table.
//
// Thread-safe. Dependencies are references that must outlive the Engine. Errors:
// kInvalidArgument (names the field), kNotFound, kConflict (same id, different start request),
// kFailedPrecondition (the workflow's status does not allow the call), kUnavailable (storage).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/activity.h"
#include "engine/attempt_gate.h"
#include "engine/base/clock.h"
#include "engine/base/failpoints.h"
#include "engine/base/status.h"
#include "engine/transition.h"
#include "engine/workflow_type.h"
#include "storage/store.h"

namespace slipway::engine {

class GroupCommitter;

// Runs a closure soon, on some thread of the caller's choosing (a worker pool, or the loop of
// a thread that waits for a task): where a task's work goes on once its checkpoint is durable.
using Executor = std::function<void(std::function<void()>)>;

struct EngineOptions {
  std::string owner = "engine";     // lease owner: unique per process
  int64_t lease_ms = 30'000;        // a claimed task is presumed lost after this
  HistoryLimits history;
  uint64_t seed = 0;                // 0 = random (jitter)
  bool group_commit = false;        // batch concurrent checkpoints into one transaction
  size_t machine_cache_size = 50'000;
  std::map<std::string, int> kind_capacity;  // e.g. {"activity:build", 2}
  // A step whose attempts ended this many times in a row without an outcome (the process
  // died, or lost the lease, while it ran) is quarantined: failed with code "quarantined"
  // instead of being run again. Meanwhile such a step's next attempt runs alone in its
  // process (AttemptGate), so that the deaths counted are its own. 0 = never (no isolation).
  int quarantine_after_lost = 3;
};

// Who asks, for the history: actor ("engine", "ops:alice", "tenant:client1"), from where,
// why, and the request id.
struct Caller {
  Caller() = default;
  explicit Caller(std::string actor_, std::string address_ = "", std::string request_id_ = "",
                  std::string reason_ = "")
      : actor(std::move(actor_)),
        address(std::move(address_)),
        request_id(std::move(request_id_)),
        reason(std::move(reason_)) {}
  std::string actor = "engine";
  std::string address;
  std::string request_id;
  std::string reason;
  nlohmann::json ToJson() const;
};

struct StartRequest {
  std::string type;
  std::string tenant;
  nlohmann::json input = nlohmann::json::object();
  std::string id;  // optional, client-chosen; generated when empty
};

// A workflow as callers see it.
struct Workflow {
  storage::Instance instance;
  nlohmann::json steps = nlohmann::json::array();  // [{name,status,attempts,...}] in order
  std::string current_step;
  std::string queued_behind;  // id of the workflow ahead in the tenant's queue, if queued
  bool created = false;       // Start: true if this call created it
  nlohmann::json ToJson() const;
};

// One ended step of a recently finished workflow, for metrics: the step view's times in ms
// (started_at is the first attempt's start, so duration includes retries and backoff).
struct StepSample {
  std::string type;
  std::string step;
  std::string status;  // step status: succeeded, failed, ...
  int attempts = 0;
  int64_t duration_ms = 0;
};

class Engine {
 public:
  Engine(storage::Store& store, Clock& clock, Failpoints& failpoints, EngineOptions options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Registration happens before any other call. Several versions of one type may be
  // registered (WorkflowType::version); the same name and version twice is kAlreadyExists.
  // kInvalidArgument. An instance whose type version is not registered in this process is
  // never run on another version's table: its next task holds it, failed with error code
  // "type_version_unregistered", for ops to resume where that version is registered.
  Status RegisterType(WorkflowType type);
  void RegisterActivity(const std::string& name, Activity& activity);

  Result<Workflow> Start(const StartRequest& req, const Caller& caller);
  Result<Workflow> Get(const std::string& id);
  Result<storage::ListPage> List(const storage::ListQuery& q);
  Result<std::vector<storage::HistoryEvent>> History(const std::string& id, int64_t after_seq,
                                                     int limit);
  Result<Workflow> Cancel(const std::string& id, const Caller& caller);
  Result<Workflow> Resume(const std::string& id, const Caller& caller);
  Result<Workflow> Signal(const std::string& id, const std::string& name,
                          const nlohmann::json& data, const Caller& caller);

  // Read-only, for metrics: the ended steps (started_at and ended_at both set) of the at most
  // `limit` (1..500) newest completed and the at most `limit` newest failed workflows.
  // kUnavailable (storage).
  Result<std::vector<StepSample>> RecentStepSamples(int limit);
  // Read-only, for stats: the workflows created in [from_ms, to_ms), newest first, at most
  // `max`; `truncated` says whether there were more. kUnavailable (storage).
  Result<std::vector<storage::Instance>> CreatedBetween(TimeMs from_ms, TimeMs to_ms, size_t max,
                                                        bool& truncated);

  // Long poll: returns the workflow as soon as its version differs from `known_version`, or
  // after `max_wait` with it unchanged. Commits of this process wake it at once, and so do
  // other processes' when the store reports them (PgStore); else they are seen within `poll`.
  Result<Workflow> WaitForChange(const std::string& id, int64_t known_version,
                                 std::chrono::milliseconds max_wait,
                                 std::chrono::milliseconds poll = std::chrono::milliseconds(200));

  // Runs one claimed task to its next checkpoint(s). `token` lets the scheduler cancel it.
  // Waits for every checkpoint on the calling thread (tests, RunDueWork).
  Status ExecuteTask(const storage::Task& task, CancellationToken& token);
  // The same without holding a thread while a checkpoint is being made durable: the task's
  // work runs on the calling thread until its first checkpoint is handed to the committer,
  // then on `executor` each time a checkpoint is durable. An activity never runs before the
  // checkpoint that decided it is durable, nor a workflow's next step before the checkpoint
  // of the step before. `done` runs once, on the calling thread or on `executor`, with the
  // task's result; `token` must stay valid until then.
  void ExecuteTaskAsync(const storage::Task& task, CancellationToken& token, Executor executor,
                        std::function<void(Status)> done);
  // Claims and runs every due task inline until none is due (tests, tools). Returns how many.
  Result<int> RunDueWork(int max_tasks = 100'000);

  // Cancels (as timed out) every running activity attempt whose timeout has passed; the
  // scheduler calls this periodically. Returns how many it cancelled.
  int CancelOverdueAttempts();

  // Whether a worker may go straight on with a workflow's next step (on by default; a
  // stopping scheduler turns it off so that workers come back quickly).
  void SetContinueSteps(bool on) { continue_steps_ = on; }

  // Called after a commit that created a task due now (the scheduler wakes up).
  void SetWakeHook(std::function<void()> hook);
  // Asked before a task's checkpoint is handed to the group committer: true = this worker has
  // nothing else to do, so if the committer is idle too the checkpoint is committed on the
  // worker's thread (no hand-off). Set before work runs, cleared after it stopped.
  void SetCommitHereHook(std::function<bool()> hook);
  const EngineOptions& options() const { return options_; }
  storage::Store& store() { return store_; }
  Clock& clock() { return clock_; }

 private:
  struct Live {
    storage::Instance instance;
    // Shared with the cache and never changed: a caller clones it to process events.
    std::shared_ptr<const WorkflowMachine> machine;
    // instance.context_json and input_json parsed, when the cache has them (else null). The
    // context is never changed while shared: whoever holds the only reference may take it.
    std::shared_ptr<nlohmann::json> context;
    std::shared_ptr<const nlohmann::json> input;
  };
  friend class StepRunner;

  // The newest registered version of a type (for new instances), or null.
  const WorkflowType* FindType(const std::string& name) const;
  // Exactly that version of a type, or null.
  const WorkflowType* FindType(const std::string& name, int64_t version) const;
  Activity* FindActivity(const std::string& name) const;
  // The instance and its machine (cached and shared, or rebuilt by replay). With
  // `fresh`, the cache is bypassed: the store's row is the truth.
  // With `take_context`, the cached parsed context moves to the caller (who is about to
  // commit a new version, which caches its own).
  // With `light`, a cached instance whose context and input are parsed comes without its JSON
  // strings (context_json, input_json, result_json and error_json are empty; a look reads the
  // parsed ones): copying them was a tenth of a look's CPU.
  Result<Live> LoadLive(const std::string& id, bool fresh = false, bool take_context = false,
                        bool light = false);
  // The view of the version this process cached last (its own commit, say), without a store
  // read; the store's when nothing is cached (a final workflow is not).
  Result<Workflow> GetCached(const std::string& id);
  Result<std::unique_ptr<WorkflowMachine>> Replay(const WorkflowType& type,
                                                  const storage::Instance& inst);
  void Evict(const std::string& id);
  // Another process committed on our store (Store::SetChangeListener).
  void ForeignChange();
  // Commits and caches the new version, waiting until it is durable (whoever answers a
  // client). `input` is instance.input_json parsed, if the caller has it (else it is parsed
  // here, outside the cache lock).
  Status CommitTransition(Transition& t, std::unique_ptr<WorkflowMachine> machine,
                          std::shared_ptr<const nlohmann::json> input = nullptr);
  // The same without waiting: `then` runs on `executor` once the checkpoint is durable (and
  // cached) or refused. Takes what it needs from `t`, which may go right after the call.
  struct PendingCommit;
  void CommitTransitionAsync(Transition& t, std::unique_ptr<WorkflowMachine> machine,
                             std::shared_ptr<const nlohmann::json> input,
                             const Executor& executor, std::function<void(Status)> then);
  std::shared_ptr<PendingCommit> Prepare(Transition& t, std::unique_ptr<WorkflowMachine> machine,
                                         std::shared_ptr<const nlohmann::json> input);
  // Hands cp to the group committer (or commits it here without one); `done` runs when its
  // fate is known, on the committer's thread or this one. With may_commit_here and an idle
  // committer, commits on this thread instead: returns true with the outcome in *here, and
  // `done` never runs. Failpoints engine.commit.before and engine.commit.after.
  bool SubmitCheckpoint(storage::Checkpoint& cp, std::function<void(Status)> done,
                        bool may_commit_here, Status* here);
  // After the commit: caches the new version (or evicts on failure), wakes the scheduler.
  Status AfterCommit(PendingCommit& p, Status st);
  Status DeleteTask(const storage::Task& task);
  Workflow ToWorkflow(const storage::Instance& inst);
  RetryDecision DecideRetryLocked(const RetryPolicy& p, const Status& error, int attempts_done,
                                  TimeMs now, TimeMs first_attempt_at);

  // Ops verbs share this: load, decide, commit, retry on conflict.
  using Mutation = std::function<Status(Live& live, Transition& t,
                                        std::unique_ptr<WorkflowMachine>& machine)>;
  Result<Workflow> Mutate(const std::string& id, const Mutation& mutate);

  void RegisterRunning(const std::string& workflow_id, CancellationToken* token,
                       TimeMs deadline_ms);
  void UnregisterRunning(const std::string& workflow_id);
  void CancelRunning(const std::string& workflow_id);

  storage::Store& store_;
  Clock& clock_;
  Failpoints& failpoints_;
  EngineOptions options_;
  std::map<std::string, std::map<int64_t, WorkflowType>> types_;  // by name, then version
  std::map<std::string, Activity*> activities_;
  std::unique_ptr<GroupCommitter> committer_;
  AttemptGate gate_;  // a suspect attempt (its step's last attempt was lost) runs alone

  std::mutex mu_;  // guards the members below
  std::unordered_map<std::string, Live> cache_;
  struct Running {
    CancellationToken* token;
    TimeMs deadline_ms;  // 0 = none
  };
  std::unordered_map<std::string, Running> running_;
  std::function<void()> wake_;
  std::function<bool()> commit_here_;  // not guarded: set while no task runs
  std::mt19937_64 rng_;
  std::atomic<bool> continue_steps_{true};
  std::condition_variable changed_;  // notified after every successful commit
  uint64_t generation_ = 0;          // bumped after every successful commit
};

}  // namespace slipway::engine
