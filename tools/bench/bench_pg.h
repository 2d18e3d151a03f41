// tools/bench/bench_pg.h: bench-engine --db postgresql://... --nodes N: N engine nodes (each its
// own PgStore connection pool, LISTEN connection, Engine and Scheduler, as N slipwayd would
// have) in this process on one PostgreSQL database. Starts `workflows` workflows of 7 no-op
// steps spread over the nodes, runs them to completion and prints steps/s and the p50/p99
// start-to-completion latency. `--db pg-temp` starts a throwaway cluster
// (storage/testing/pg_cluster.h) and takes a fresh database from it.
#pragma once

#include <string>

#include "engine/scheduler_options.h"

namespace slipway::bench {

struct PgBenchOptions {
  std::string db;  // a postgresql:// URL, or "pg-temp"
  int nodes = 1;
  int workflows = 2000;
  bool synchronous_commit = true;
  engine::SchedulerOptions scheduler;  // per node
};

// Prints the figures; returns a process exit code.
int RunPgNodes(const PgBenchOptions& o);

}  // namespace slipway::bench
