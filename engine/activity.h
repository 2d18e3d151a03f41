// engine/activity.h: what the engine asks of an activity, and what it gives one.
//
// An activity does one piece of outside work for one step (create a repository, build, deploy).
// It runs at least once: every attempt of a step carries the same idempotency key, and the
// activity must check before it acts so that the outside world sees its effect once. It returns
// its output as JSON or a Status whose code tells the engine whether a retry may help
// (kUnavailable/kDeadlineExceeded/kConflict: yes, after retry_after_ms when set; kPermanent,
// kInvalidArgument, ...: no). It must honour the cancellation token and the attempt deadline.
// Run() may be called concurrently from worker threads for different steps. It should not
// throw; whatever it throws anyway is caught by the engine (engine/activity_barrier.h) and
// becomes a failed attempt (kInternal, retried like any failure) with the exception's message.
//
// Errors the engine records: a failed step's `error` in the steps view, its step_failed event
// and, when the table does not route the failure, the workflow's `error` are ErrorJson(status):
// code, message and, when set, field, retry_after_ms and `details` (Status::WithDetails, e.g.
// the parsed build errors an editor shows), redacted like the rest of the history.
//
// A failure the table routes on its output (a build that fails and goes to autofix) is a
// success to the machine but a failure to whoever watches: such an output carries the reserved
// key kStepErrorKey (see WithStepError). The engine then routes StepSucceeded with the whole
// output, as usual (replay and history are unchanged), but shows the step as `failed` with
// that error in the steps view and keeps it as the workflow's last error (the `cause` of a
// final failed state). Later steps see the output, marker included, in ActivityCall.outputs.
//
// Waiting costs no thread. An activity that waits on the outside world (a Vercel build, a DNS
// check, GitHub copying a template) returns NotDoneYet(progress, after_ms) instead of sleeping:
// "not done yet, look again in after_ms". The engine records the progress in the step's context
// and a durable timer (a task due after after_ms), and frees the worker. The next look is the
// SAME attempt: same attempt number, same idempotency key, not counted against retries; the
// activity finds the last look's progress in ActivityCall.progress (null on an attempt's first
// look) and the number of looks so far in ActivityCall.looks. The step shows `waiting` with its
// progress. History gets a step_progress event when the progress's "state" (a string; else the
// whole progress) differs from the last look's, not one per look. The attempt timeout runs from
// the attempt's first look across all its looks, and the step's deadline applies too: a look due
// past either ends the attempt as kDeadlineExceeded (details: the last progress), retried by the
// policy like any timeout. Cancel ends a waiting step at once. A process that dies while a step
// waits resumes it from the recorded progress. Looks should be cheap reads: the first look of
// an attempt (progress null) is where the effect happens, checked by idempotency key as usual.
#pragma once

#include <atomic>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/base/clock.h"
#include "engine/base/status.h"
#include "engine/shared_json.h"

namespace slipway::engine {

class CancellationToken {
 public:
  void Cancel() { cancelled_.store(true); }
  // Cancels because the attempt ran past its timeout (the engine records kDeadlineExceeded,
  // which is retryable, instead of a cancellation).
  void CancelForTimeout() {
    timed_out_.store(true);
    cancelled_.store(true);
  }
  // Cancels because this process may no longer hold the task's lease (a renewal was refused,
  // or failed until the lease could expire): another node may run the task, so the engine
  // records no outcome for this attempt.
  void CancelForLostLease() {
    lease_lost_.store(true);
    cancelled_.store(true);
  }
  bool cancelled() const { return cancelled_.load(); }
  bool timed_out() const { return timed_out_.load(); }
  bool lease_lost() const { return lease_lost_.load(); }

 private:
  std::atomic<bool> cancelled_{false};
  std::atomic<bool> timed_out_{false};
  std::atomic<bool> lease_lost_{false};
};

struct ActivityCall {
  std::string workflow_id;
  std::string workflow_type;
  std::string tenant;
  std::string step;
  int attempt = 1;
  std::string idempotency_key;   // same for every attempt of this step (and this resume)
  SharedJson input;              // the workflow's input
  SharedJson outputs;            // outputs of the steps that succeeded so far, by step name
  TimeMs deadline_ms = 0;        // this attempt must end by then (0 = none)
  const CancellationToken* cancel = nullptr;
  // The progress of this attempt's last look (NotDoneYet), or null on its first look.
  nlohmann::json progress;
  int looks = 0;                 // looks of this attempt already recorded (0 on the first)
  // Whether this call runs in its state's limit_class (StateSpec): false only for a state with
  // limit_on_request whose attempt has not asked for it (NeedsLimit) yet.
  bool limited = true;
  bool cancelled() const { return cancel != nullptr && cancel->cancelled(); }
};

// The error object of a failed step or workflow, as described above.
nlohmann::json ErrorJson(const Status& status);

// Reserved output key: the step succeeded for routing but is shown as failed with this error.
inline constexpr const char* kStepErrorKey = "step_error";
// `output` (an object) marked as a failure the table routes: output[kStepErrorKey] = ErrorJson(why).
// Requires: !why.ok().
nlohmann::json WithStepError(nlohmann::json output, const Status& why);

// Reserved output key of a NotDoneYet answer (never a step's output: the engine takes it).
inline constexpr const char* kNotDoneYetKey = "not_done_yet";
// The largest progress the engine keeps per step (serialised bytes); a larger one fails the
// attempt (kInternal): progress lives in the step's context and is rewritten on every look.
inline constexpr size_t kMaxProgressBytes = 16 * 1024;
// The longest wait between two looks; after_ms is clamped to [1, kMaxLookDelayMs].
inline constexpr int64_t kMaxLookDelayMs = 6LL * 3600 * 1000;
// "Not done yet: look again in after_ms", carrying `progress` (a JSON object, ideally with a
// "state" string, e.g. {"deployment_id": "dpl_1", "state": "BUILDING"}) to the next look.
nlohmann::json NotDoneYet(nlohmann::json progress, int64_t after_ms);
// "Not done yet: look again as soon as a slot of this state's limit_class is free", for a
// state with limit_on_request (StateSpec), called with !call.limited. The next look is the
// same attempt, run in the limit class with this `progress` (say what it waits for: the step
// shows it, e.g. {"state": "waiting_for_build_slot"}).
nlohmann::json NeedsLimit(nlohmann::json progress);

class Activity {
 public:
  virtual ~Activity() = default;
  virtual Result<nlohmann::json> Run(const ActivityCall& call) = 0;
};

}  // namespace slipway::engine
