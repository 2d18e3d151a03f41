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
#pragma once

#include <atomic>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/base/clock.h"
#include "engine/base/status.h"

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
  nlohmann::json input;          // the workflow's input
  nlohmann::json outputs;        // outputs of the steps that succeeded so far, by step name
  TimeMs deadline_ms = 0;        // this attempt must end by then (0 = none)
  const CancellationToken* cancel = nullptr;
  bool cancelled() const { return cancel != nullptr && cancel->cancelled(); }
};

// The error object of a failed step or workflow, as described above.
nlohmann::json ErrorJson(const Status& status);

// Reserved output key: the step succeeded for routing but is shown as failed with this error.
inline constexpr const char* kStepErrorKey = "step_error";
// `output` (an object) marked as a failure the table routes: output[kStepErrorKey] = ErrorJson(why).
// Requires: !why.ok().
nlohmann::json WithStepError(nlohmann::json output, const Status& why);

class Activity {
 public:
  virtual ~Activity() = default;
  virtual Result<nlohmann::json> Run(const ActivityCall& call) = 0;
};

}  // namespace slipway::engine
