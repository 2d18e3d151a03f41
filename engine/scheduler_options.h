// engine/scheduler_options.h: the Scheduler's settings. Their defaults are slipwayd's
// defaults (tools/slipwayd takes them from here, and so does bench-engine), kept in one place
// so that a benchmark of "the default engine" measures what ships.
#pragma once

#include <cstdint>

namespace slipway::engine {

struct SchedulerOptions {
  int workers = 64;
  int64_t poll_ms = 100;          // upper bound on the time between two looks at the store
  // A look at the store that a timer (not new work) starts comes at least this long after the
  // last, so durable timers fire up to this late: work that falls due one task at a time
  // (10,000 waiting deployments look at Vercel 1,000 times a second) is then claimed in
  // batches, whose checkpoints share transactions, rather than one claim per task. New work
  // that is due at once wakes the dispatcher without this wait.
  int64_t timer_batch_ms = 20;
  int64_t stop_grace_ms = 30'000; // Stop(): wait this long for running activities
  // Workers run at this nice value (and so do the builds they start): on a busy machine they
  // yield the CPU to the committer and the dispatcher, which every worker waits on, and to the
  // HTTP API. 0 = the process's own priority.
  int worker_nice = 10;
  // Tasks claimed and not yet through (running, queued for a worker, or waiting for a
  // checkpoint to be durable), at most. Enough of them keep the committer's batches full
  // while the workers compute; each holds a lease that is renewed.
  int max_in_flight = 256;
};

}  // namespace slipway::engine
