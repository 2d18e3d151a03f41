// tests/crash/upgrade_worker.cc: an engine process for the upgrade crash test
// (upgrade_crash_test.cc).
//
//   upgrade_worker DB OWNER VERSIONS PAUSE_MS
// Registers the given versions (a comma-separated list, e.g. "1,2") of the "upgrade" type
// (engine/testing/upgrade_workflow.h), whose steps succeed at once, and runs a scheduler on
// the real clock until it is killed.
#include <iostream>
#include <sstream>
#include <string>
#include <thread>

#include "engine/scheduler.h"
#include "engine/testing/upgrade_workflow.h"
#include "storage/sqlite_store.h"

namespace {

using namespace slipway;
using nlohmann::json;

class PassingActivity : public engine::Activity {
 public:
  Result<json> Run(const engine::ActivityCall&) override { return json{{"passed", true}}; }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: upgrade_worker DB OWNER VERSIONS PAUSE_MS\n";
    return 2;
  }
  Failpoints failpoints;
  auto store = storage::SqliteStore::Open({argv[1]}, failpoints);
  if (!store.ok()) {
    std::cerr << store.status().ToString() << "\n";
    return 1;
  }
  PassingActivity activity;
  SystemClock clock;
  engine::EngineOptions options;
  options.owner = argv[2];
  options.lease_ms = 1000;
  options.group_commit = true;
  engine::Engine engine(**store, clock, failpoints, options);
  engine.RegisterActivity("pass", activity);
  const int64_t pause_ms = std::stoll(argv[4]);
  std::stringstream versions(argv[3]);
  for (std::string v; std::getline(versions, v, ',');) {
    Status st = engine.RegisterType(
        engine::testing::UpgradeType(std::stoi(v), "pass", engine::RetryPolicy(), pause_ms));
    if (!st.ok()) {
      std::cerr << st.ToString() << "\n";
      return 1;
    }
  }
  engine::Scheduler scheduler(engine, {2, 20, 5000});
  scheduler.Start();
  for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
}
