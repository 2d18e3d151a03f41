// tests/crash/quarantine_worker.cc: an engine process whose activity can kill it.
//
//   quarantine_worker DB OWNER
// Runs the "seven" test workflow on a scheduler (4 workers, 500 ms leases) with an activity
// that, for a workflow whose input says {"die": "abort"} or {"die": "sigkill"}, ends this
// process the way a crashing library would (std::abort, as std::terminate does) or the way
// the kernel would (SIGKILL); any other workflow's steps succeed. Stops on SIGTERM (exit 0).
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

namespace {

std::atomic<bool> g_stop{false};
void OnTerm(int) { g_stop = true; }

class PoisonActivity : public slipway::engine::Activity {
 public:
  slipway::Result<nlohmann::json> Run(const slipway::engine::ActivityCall& call) override {
    const std::string die = call.input.is_object() ? call.input.value("die", "") : "";
    if (die == "abort") std::abort();
    if (die == "sigkill") raise(SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // a little outside work
    return nlohmann::json{{"ok", true}};
  }
};

}  // namespace

int main(int argc, char** argv) {
  using namespace slipway;
  if (argc != 3) {
    std::cerr << "usage: quarantine_worker DB OWNER\n";
    return 2;
  }
  signal(SIGTERM, OnTerm);
  Failpoints failpoints;
  auto store = storage::SqliteStore::Open({argv[1]}, failpoints);
  if (!store.ok()) {
    std::cerr << store.status().ToString() << "\n";
    return 1;
  }
  SystemClock clock;
  engine::EngineOptions options;
  options.owner = argv[2];
  options.lease_ms = 500;
  engine::Engine engine(**store, clock, failpoints, options);
  PoisonActivity poison;
  engine.RegisterActivity("poison", poison);
  engine::RetryPolicy retry;
  retry.initial_interval_ms = 10;
  retry.max_interval_ms = 50;
  retry.max_attempts = 0;  // only quarantine may end a poisoned step
  if (!engine.RegisterType(engine::testing::SevenStepType("seven", "poison", retry)).ok()) return 1;
  engine::Scheduler scheduler(engine, {4, 20, 5000});
  scheduler.Start();
  std::ofstream(std::string(argv[1]) + ".ready-" + argv[2]) << getpid() << "\n";
  while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  scheduler.Stop();
  return 0;
}
