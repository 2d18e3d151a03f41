// engine/scheduler_options.h: the Scheduler's settings. Their defaults are slipwayd's
// defaults (tools/slipwayd takes them from here, and so does bench-engine), kept in one place
// so that a benchmark of "the default engine" measures what ships.
#pragma once

#include <cstdint>

namespace slipway::engine {

struct SchedulerOptions {
  int workers = 64;
  int64_t poll_ms = 100;          // upper bound on the time between two looks at the store
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
