// tests/crash/crash_worker.cc: an engine process for the crash test.
//
//   crash_worker DB EFFECTS OWNER
// Runs the "seven" test workflow with EffectActivity on a scheduler until SIGTERM (graceful
// stop, exit 0) or until it is killed. SLIPWAY_FAILPOINTS arms kill points.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <thread>

#include "engine/scheduler.h"
#include "engine/testing/test_workflow.h"
#include "storage/sqlite_store.h"
#include "tests/crash/effect_activity.h"

namespace {
std::atomic<bool> g_stop{false};
void OnTerm(int) { g_stop = true; }
}  // namespace

int main(int argc, char** argv) {
  using namespace slipway;
  if (argc != 4) {
    std::cerr << "usage: crash_worker DB EFFECTS OWNER\n";
    return 2;
  }
  signal(SIGTERM, OnTerm);
  Failpoints failpoints;
  if (const char* spec = std::getenv("SLIPWAY_FAILPOINTS")) {
    Status st = failpoints.ArmFromSpec(spec);
    if (!st.ok()) {
      std::cerr << st.ToString() << "\n";
      return 2;
    }
  }
  auto store = storage::SqliteStore::Open({argv[1]}, failpoints);
  if (!store.ok()) {
    std::cerr << store.status().ToString() << "\n";
    return 1;
  }
  SystemClock clock;
  engine::EngineOptions options;
  options.owner = argv[3];
  options.lease_ms = 1000;
  options.group_commit = true;
  // The driver kills this process at random: a death says nothing about the task that was
  // running, so no step is quarantined for it (tests/crash/quarantine_test.cc covers that).
  options.quarantine_after_lost = 0;
  engine::Engine engine(**store, clock, failpoints, options);
  crash::EffectActivity effects(argv[2]);
  engine.RegisterActivity("effect", effects);
  engine::RetryPolicy retry;
  retry.initial_interval_ms = 10;
  retry.max_interval_ms = 100;
  retry.max_attempts = 0;  // crashes may cost attempts; the test wants every workflow done
  if (!engine.RegisterType(engine::testing::SevenStepType("seven", "effect", retry)).ok()) return 1;
  engine::Scheduler scheduler(engine, {8, 20, 5000});
  scheduler.Start();
  // Tells the driver that SIGTERM is now handled gracefully.
  std::ofstream(std::string(argv[1]) + ".ready-" + argv[3]) << getpid() << "\n";
  while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  scheduler.Stop();
  return 0;
}
