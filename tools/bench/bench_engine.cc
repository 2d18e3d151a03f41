// tools/bench/bench_engine.cc: engine latency and throughput on fresh databases.
//
//   bench-engine [--workflows N] [--alone N] [--workers W] [--in-flight N] [--sync full|normal|both]
//                [--dir DIR] [--nice N] [--wal-pages N] [--wal-prefill-mb N] [--keep]
//   bench-engine --db postgresql://...|pg-temp [--nodes N] [--workflows N] [--workers W]
//                [--sync full|normal]   N engine nodes on one PostgreSQL database (bench_pg.h)
//
// The engine runs with slipwayd's defaults (engine/scheduler_options.h, and group commit as
// tools/slipwayd/server.cc sets it) unless a flag overrides one. First, one workflow of 7
// no-op steps alone on an idle engine, N times in a row: p50/p99 from Start to completed, as
// a waiting client sees it. Then it starts N workflows, runs them on the scheduler, and
// prints workflows/s, steps/s, checkpoints/s, p50/p99 start-to-completion latency, p50/p99
// commit transaction latency, checkpoints per transaction, SQLite transactions per workflow
// and peak RSS, for synchronous=FULL and/or NORMAL. Figures, not a test: no assertions.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "engine/scheduler.h"
#include "engine/testing/test_workflow.h"
#include "storage/sqlite_store.h"
#include "tools/bench/bench_pg.h"
#include "tools/bench/bench_util.h"
#include "tools/bench/timing_store.h"

namespace slipway::bench {
namespace {

class NoopActivity : public engine::Activity {
 public:
  Result<nlohmann::json> Run(const engine::ActivityCall& call) override {
    if (call.step == "s7") last_steps_++;
    return nlohmann::json::object();
  }
  std::atomic<int> last_steps_{0};
};

struct Options {
  int workflows = 2000;
  int alone = 20;                      // runs of one workflow alone
  engine::SchedulerOptions scheduler;  // slipwayd's defaults
  std::string sync = "both";
  std::string dir = "/tmp";
  int wal_pages = -1;  // -1: the store's default
  int wal_prefill_mb = -1;  // -1: the store's default (SqliteOptions::wal_prefill_bytes)
  bool keep = false;  // leave the database file for inspection
};

// The store's defaults but for what the flags set.
storage::SqliteOptions StoreOptions(const Options& o, const std::string& path, bool full) {
  storage::SqliteOptions so{path, full};
  if (o.wal_pages >= 0) so.wal_checkpoint_pages = o.wal_pages;
  if (o.wal_prefill_mb >= 0) so.wal_prefill_bytes = int64_t{o.wal_prefill_mb} << 20;
  return so;
}

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// One workflow at a time on an idle engine (its own database): Start to completed in ms,
// sorted, `o.alone` times.
struct Alone {
  std::vector<double> ms;        // Start to completed, sorted
  double commits_per_run = 0;    // commit transactions per workflow
  double commit_p50_ms = 0;      // one such transaction
};

Alone RunAlone(const Options& o, bool full) {
  Alone result;
  std::vector<double>& ms = result.ms;
  std::string path = o.dir + "/slipway-bench-alone-" + std::to_string(getpid()) + ".db";
  Failpoints failpoints;
  auto sqlite = storage::SqliteStore::Open(StoreOptions(o, path, full), failpoints);
  if (!sqlite.ok()) return result;
  TimingStore store(**sqlite);
  SystemClock clock;
  engine::EngineOptions eo;
  eo.owner = "bench-alone";
  eo.group_commit = true;
  NoopActivity noop;
  {  // the engine ends before the store it points at
    engine::Engine engine(store, clock, failpoints, eo);
    engine.RegisterActivity("noop", noop);
    if (!engine.RegisterType(engine::testing::SevenStepType("seven", "noop", {})).ok()) {
      return result;
    }
    engine::Scheduler scheduler(engine, o.scheduler);
    scheduler.Start();
    for (int i = 0; i < o.alone; ++i) {
      auto t0 = std::chrono::steady_clock::now();
      auto w = engine.Start({"seven", "alone", nlohmann::json::object(), ""}, engine::Caller{});
      if (!w.ok()) break;
      int64_t version = w->instance.version;
      std::string status = w->instance.status;
      while (status != "completed") {
        auto next = engine.WaitForChange(w->instance.id, version, std::chrono::seconds(10));
        if (!next.ok()) break;
        version = next->instance.version;
        status = next->instance.status;
      }
      auto t1 = std::chrono::steady_clock::now();
      ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
  }
  std::vector<double> micros = store.commit_micros();
  std::sort(micros.begin(), micros.end());
  result.commits_per_run = static_cast<double>(micros.size()) / std::max<size_t>(1, ms.size());
  result.commit_p50_ms = Percentile(micros, 0.5) / 1000;
  sqlite->reset();
  RemoveDatabase(path);
  std::sort(ms.begin(), ms.end());
  return result;
}

int Run(const Options& o, bool full) {
  const Alone alone = RunAlone(o, full);
  std::string path = o.dir + "/slipway-bench-" + std::to_string(getpid()) + (full ? "-full" : "-normal") + ".db";
  Failpoints failpoints;
  auto sqlite = storage::SqliteStore::Open(StoreOptions(o, path, full), failpoints);
  if (!sqlite.ok()) {
    std::fprintf(stderr, "open: %s\n", sqlite.status().ToString().c_str());
    return 1;
  }
  TimingStore store(**sqlite);
  SystemClock clock;
  engine::EngineOptions eo;
  eo.owner = "bench";
  eo.group_commit = true;
  engine::Engine engine(store, clock, failpoints, eo);
  NoopActivity noop;
  engine.RegisterActivity("noop", noop);
  engine::RetryPolicy retry;
  if (!engine.RegisterType(engine::testing::SevenStepType("seven", "noop", retry)).ok()) return 1;
  engine::Scheduler scheduler(engine, o.scheduler);

  // Phase 1: starts from 8 threads, as concurrent API requests would arrive.
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::string> ids(static_cast<size_t>(o.workflows));
  std::atomic<int> next{0}, failed{0};
  std::vector<std::thread> starters;
  for (int t = 0; t < 8; ++t) {
    starters.emplace_back([&] {
      for (int i = next++; i < o.workflows; i = next++) {
        auto w = engine.Start({"seven", "t" + std::to_string(i % 100), nlohmann::json::object(), ""},
                              engine::Caller{});
        if (w.ok()) ids[static_cast<size_t>(i)] = w->instance.id;
        else failed++;
      }
    });
  }
  for (auto& t : starters) t.join();
  if (failed > 0) {
    std::fprintf(stderr, "%d starts failed\n", failed.load());
    return 1;
  }
  auto started = std::chrono::steady_clock::now();
  store.Reset();  // the figures below are of the run phase only
  const double cpu_before = ProcessCpuSeconds();
  const ThreadTimes commit_before = SumThreadTimes("sw-commit");
  // Phase 2: the scheduler runs everything to completion.
  scheduler.Start();
  std::vector<double> latency_ms;
  // The last step's activity has run for every workflow before any poll of the store: polling
  // while the engine runs would take CPU from it.
  while (noop.last_steps_ < o.workflows) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  for (const auto& id : ids) {
    for (;;) {
      auto inst = store.Load(id);
      if (inst.ok() && inst->status == "completed") {
        latency_ms.push_back(static_cast<double>(inst->updated_at_ms - inst->created_at_ms));
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  auto done = std::chrono::steady_clock::now();
  const double cpu_used = ProcessCpuSeconds() - cpu_before;
  const ThreadTimes commit_after = SumThreadTimes("sw-commit");
  const double commit_cpu_used = commit_after.on_cpu - commit_before.on_cpu;
  const double commit_wait = commit_after.waiting - commit_before.waiting;
  scheduler.Stop();
  auto stats = store.Stats();
  auto micros = store.commit_micros();
  std::sort(micros.begin(), micros.end());
  std::sort(latency_ms.begin(), latency_ms.end());
  auto sizes = store.batch_sizes();
  size_t checkpoints = 0;
  for (size_t s : sizes) checkpoints += s;
  double elapsed = Seconds(done - started);
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("synchronous=%s workflows=%d workers=%d in-flight<=%d\n", full ? "FULL" : "NORMAL",
              o.workflows, o.scheduler.workers, o.scheduler.max_in_flight);
  std::printf("  one alone p50/p99 ms  %10.2f / %.2f   (%zu runs, Start to completed, idle engine;"
              " %.1f commits each, p50 %.2f ms)\n",
              Percentile(alone.ms, 0.50), Percentile(alone.ms, 0.99), alone.ms.size(),
              alone.commits_per_run, alone.commit_p50_ms);
  std::printf("  starts/s              %10.0f\n", o.workflows / Seconds(started - t0));
  std::printf("  workflows/s           %10.0f\n", o.workflows / elapsed);
  std::printf("  steps/s               %10.0f   (7 steps per workflow)\n", o.workflows * 7 / elapsed);
  std::printf("  checkpoints/s         %10.0f\n", static_cast<double>(checkpoints) / elapsed);
  std::printf("  latency p50/p99 ms    %10.0f / %.0f   (start to completion, all started first)\n",
              Percentile(latency_ms, 0.50), Percentile(latency_ms, 0.99));
  std::printf("  commit txn p50/p99 ms %10.2f / %.2f\n", Percentile(micros, 0.50) / 1000,
              Percentile(micros, 0.99) / 1000);
  double busy_us = 0;
  for (double us : micros) busy_us += us;
  std::printf("  in commit txns        %10.0f %%   (of the run; the committer thread on a CPU %.0f %%, waiting for one %.0f %%)\n",
              busy_us / 1e4 / elapsed, commit_cpu_used * 100 / elapsed, commit_wait * 100 / elapsed);
  std::printf("  checkpoints per txn   %10.1f\n", static_cast<double>(checkpoints) / std::max<size_t>(1, sizes.size()));
  std::printf("  sqlite txns/workflow  %10.1f   (commits, claims and lease renewals)\n",
              stats.ok() ? static_cast<double>(stats->commits) / o.workflows : 0.0);
  const double steps = o.workflows * 7.0;
  std::printf("  CPU us/step           %10.0f   (whole process; the committer thread: %.0f)\n",
              cpu_used * 1e6 / steps, commit_cpu_used * 1e6 / steps);
  double load[3] = {0, 0, 0};
  getloadavg(load, 3);
  std::printf("  load average          %10.2f\n", load[0]);
  std::printf("  peak RSS MiB          %10.1f\n", ru.ru_maxrss / 1024.0);
  if (o.keep) {
    std::printf("  database kept at       %s\n", path.c_str());
    return 0;
  }
  RemoveDatabase(path);
  return 0;
}

}  // namespace
}  // namespace slipway::bench

int main(int argc, char** argv) {
  slipway::bench::Options o;
  std::string db;
  int nodes = 1;
  for (int i = 1; i < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--keep") {
      o.keep = true;
      --i;
      continue;
    }
    if (i + 1 >= argc) flag = "--help";
    if (flag == "--workflows") o.workflows = std::atoi(argv[i + 1]);
    else if (flag == "--workers") o.scheduler.workers = std::atoi(argv[i + 1]);
    else if (flag == "--in-flight") o.scheduler.max_in_flight = std::atoi(argv[i + 1]);
    else if (flag == "--alone") o.alone = std::atoi(argv[i + 1]);
    else if (flag == "--sync") o.sync = argv[i + 1];
    else if (flag == "--dir") o.dir = argv[i + 1];
    else if (flag == "--nice") o.scheduler.worker_nice = std::atoi(argv[i + 1]);
    else if (flag == "--wal-pages") o.wal_pages = std::atoi(argv[i + 1]);
    else if (flag == "--wal-prefill-mb") o.wal_prefill_mb = std::atoi(argv[i + 1]);
    else if (flag == "--db") db = argv[i + 1];
    else if (flag == "--nodes") nodes = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: bench-engine [--workflows N] [--alone N] [--workers W] [--in-flight N] [--sync full|normal|both] [--dir DIR] [--nice N] [--wal-pages N] [--wal-prefill-mb N] [--keep]\n"
                           "       bench-engine --db postgresql://...|pg-temp [--nodes N] [--workflows N] [--workers W] [--sync full|normal]\n");
      return 2;
    }
  }
  if (!db.empty()) {
    slipway::bench::PgBenchOptions po;
    po.db = db;
    po.nodes = nodes < 1 ? 1 : nodes;
    po.workflows = o.workflows;
    po.synchronous_commit = o.sync != "normal";
    po.scheduler = o.scheduler;
    return slipway::bench::RunPgNodes(po);
  }
  int rc = 0;
  if (o.sync == "full" || o.sync == "both") rc |= slipway::bench::Run(o, true);
  if (o.sync == "normal" || o.sync == "both") rc |= slipway::bench::Run(o, false);
  return rc;
}
