// tests/crash/crash_test.cc: durability under SIGKILL, with real processes.
//
// The driver starts at least 200 "seven" workflows (100 before the engine process runs, the
// rest while it runs, more whenever all are done), SIGKILLs the engine process at random
// moments while steps are in flight, 24 times (some restarts also arm a kill failpoint
// between an activity's effect and its checkpoint), restarts it each time, and finally
// checks: every workflow completed; every step's effect recorded exactly once under one
// idempotency key used by all its attempts; every history chain
// verifies; no task left leased. The seed is printed; SLIPWAY_CRASH_SEED replays a run.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <filesystem>
#include <random>
#include <thread>

#include "engine/audit.h"
#include "engine/engine.h"
#include "engine/testing/test_workflow.h"
#include "storage/sqlite_store.h"

extern char** environ;

namespace slipway {
namespace {

pid_t SpawnWorker(const std::string& db, const std::string& effects, const std::string& owner,
                  const std::string& failpoints) {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::string(*e).rfind("SLIPWAY_FAILPOINTS=", 0) != 0) env_strings.push_back(*e);
  }
  if (!failpoints.empty()) env_strings.push_back("SLIPWAY_FAILPOINTS=" + failpoints);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string bin = CRASH_WORKER_PATH;
  std::vector<std::string> args = {bin, db, effects, owner};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, bin.c_str(), nullptr, nullptr, argv.data(), envp.data());
  EXPECT_EQ(rc, 0) << "spawn " << bin;
  return pid;
}

class CrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/slipway-crash-XXXXXX";
    dir_ = mkdtemp(tmpl);
    db_ = dir_ + "/slipway.db";
    effects_ = dir_ + "/effects.db";
    auto s = storage::SqliteStore::Open({db_}, failpoints_);
    ASSERT_TRUE(s.ok());
    store_ = std::move(*s);
    engine::EngineOptions o;
    o.owner = "driver";
    engine_ = std::make_unique<engine::Engine>(*store_, clock_, failpoints_, o);
    ASSERT_TRUE(engine_->RegisterType(
        engine::testing::SevenStepType("seven", "effect", engine::RetryPolicy())).ok());
  }
  void TearDown() override {
    engine_.reset();
    store_.reset();
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }
  void StartWorkflows(int from, int to) {
    for (int i = from; i < to; ++i) {
      std::string id = "crash-" + std::to_string(i);
      engine::StartRequest req{"seven", "tenant" + std::to_string(i % 10), {{"n", i}}, id};
      for (int tries = 0;; ++tries) {  // the engine process holds the write lock at times
        auto w = engine_->Start(req, engine::Caller{"ops:driver"});
        if (w.ok()) break;
        ASSERT_LT(tries, 100) << w.status().ToString();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
  }
  int CountCompleted(int n) {
    int done = 0;
    for (int i = 0; i < n; ++i) {
      auto inst = store_->Load("crash-" + std::to_string(i));
      if (inst.ok() && inst->status == "completed") ++done;
    }
    return done;
  }

  std::string dir_, db_, effects_;
  SystemClock clock_;
  Failpoints failpoints_;
  std::unique_ptr<storage::SqliteStore> store_;
  std::unique_ptr<engine::Engine> engine_;
};

TEST_F(CrashTest, KilledEngineLosesNothingAndRepeatsNoEffect) {
  const char* seed_env = std::getenv("SLIPWAY_CRASH_SEED");
  uint64_t seed = seed_env ? std::strtoull(seed_env, nullptr, 10) : std::random_device{}();
  std::cout << "crash test seed: " << seed << " (SLIPWAY_CRASH_SEED to replay)" << std::endl;
  std::mt19937_64 rng(seed);
  // At least 200 workflows; more are started whenever everything is done, so that every
  // kill that counts lands while steps are in flight, however fast the machine is.
  constexpr int kKillsDuringWork = 24;
  constexpr int kMaxKills = 120;
  int workflows = 100;
  StartWorkflows(0, workflows);
  int restarts = 0;
  int kills_during_work = 0;
  pid_t worker = SpawnWorker(db_, effects_, "worker-0", "");
  for (int kills = 0; kills_during_work < kKillsDuringWork;) {
    ASSERT_LT(kills, kMaxKills) << "too few kills landed while work was in flight";
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(40, 300)(rng)));
    if (kills == 4) {
      StartWorkflows(workflows, workflows + 100);
      workflows += 100;
    } else if (CountCompleted(workflows) == workflows) {
      StartWorkflows(workflows, workflows + 25);
      workflows += 25;
    }
    int status = 0;
    if (CountCompleted(workflows) < workflows) ++kills_during_work;
    if (waitpid(worker, &status, WNOHANG) == 0) {
      ASSERT_EQ(kill(worker, SIGKILL), 0);
      ASSERT_EQ(waitpid(worker, &status, 0), worker);
    }
    ASSERT_TRUE(WIFSIGNALED(status)) << "worker exited on its own";
    ++kills;
    ++restarts;
    // Every third life also dies by itself between an effect and its checkpoint.
    std::string fp = restarts % 3 == 0 ? "activity.after_call_before_record=kill@0.05" : "";
    worker = SpawnWorker(db_, effects_, "worker-" + std::to_string(restarts), fp);
  }
  const int kWorkflows = workflows;
  // A last, clean life finishes everything.
  int status = 0;
  kill(worker, SIGKILL);
  waitpid(worker, &status, 0);
  worker = SpawnWorker(db_, effects_, "worker-final", "");
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(240);
  while (CountCompleted(kWorkflows) < kWorkflows && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  while (!std::filesystem::exists(db_ + ".ready-worker-final") &&
         std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(worker, SIGTERM);
  ASSERT_EQ(waitpid(worker, &status, 0), worker);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "graceful stop failed";

  ASSERT_EQ(CountCompleted(kWorkflows), kWorkflows);
  EXPECT_GE(kWorkflows, 200);
  for (int i = 0; i < kWorkflows; ++i) {
    auto h = store_->History("crash-" + std::to_string(i), 0, 0);
    ASSERT_TRUE(h.ok());
    EXPECT_TRUE(engine::VerifyChain(*h).ok()) << engine::VerifyChain(*h).ToString();
  }
  auto stats = store_->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->leased_tasks, 0);
  EXPECT_EQ(stats->tasks, 0);

  SQLite::Database effects(effects_, SQLite::OPEN_READONLY);
  // Exactly one effect per (workflow, step), keyed workflow/step.
  SQLite::Statement count(effects, "SELECT COUNT(*), COUNT(DISTINCT workflow || '/' || step) FROM effects");
  ASSERT_TRUE(count.executeStep());
  EXPECT_EQ(count.getColumn(0).getInt(), kWorkflows * 7);
  EXPECT_EQ(count.getColumn(1).getInt(), kWorkflows * 7);
  SQLite::Statement bad_key(effects, "SELECT COUNT(*) FROM effects WHERE key != workflow || '/' || step");
  ASSERT_TRUE(bad_key.executeStep());
  EXPECT_EQ(bad_key.getColumn(0).getInt(), 0);
  // Every attempt of a step carried the same key.
  SQLite::Statement keys(effects,
                         "SELECT COUNT(*) FROM (SELECT workflow, step FROM attempts "
                         "GROUP BY workflow, step HAVING COUNT(DISTINCT key) > 1)");
  ASSERT_TRUE(keys.executeStep());
  EXPECT_EQ(keys.getColumn(0).getInt(), 0);
  SQLite::Statement repeats(effects, "SELECT COUNT(*) - COUNT(DISTINCT workflow || step) FROM attempts");
  ASSERT_TRUE(repeats.executeStep());
  std::cout << "workflows: " << kWorkflows << ", restarts: " << restarts
            << ", kills during work: " << kills_during_work
            << ", repeated attempts (effect found, not redone): "
            << repeats.getColumn(0).getInt() << std::endl;
}

}  // namespace
}  // namespace slipway
