// tests/crash/waiting_crash_test.cc: a process SIGKILLed while a deployment waits on Vercel.
//
// The emulator runs in this (driver) process, so it outlives the engine processes
// (waiting_worker) that the test kills twice while step s2 waits for a staged production
// deployment to be READY (3 s of emulated build). The third process finishes it: one Vercel
// deployment in the emulator's effect log, one attempt of s2 (a look that was never recorded
// is simply looked again), history events per state change, and a chain that verifies.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include "engine/audit.h"
#include "engine/engine.h"
#include "engine/testing/test_workflow.h"
#include "storage/sqlite_store.h"
#include "tools/emulator/emulator.h"

extern char** environ;

namespace slipway {
namespace {

using nlohmann::json;

pid_t SpawnWorker(const std::string& db, const std::string& url, const std::string& owner) {
  std::string bin = WAITING_WORKER_PATH;
  std::vector<std::string> args = {bin, db, url, owner};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  EXPECT_EQ(posix_spawn(&pid, bin.c_str(), nullptr, nullptr, argv.data(), environ), 0);
  return pid;
}

void Kill(pid_t pid) {
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the worker exited on its own";
}

class WaitingCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/slipway-waitcrash-XXXXXX";
    dir_ = mkdtemp(tmpl);
    emulator::EmulatorOptions eo;
    eo.data_dir = dir_ + "/emu";
    eo.deploy_delay_ms = 3000;  // QUEUED 1.5 s, then BUILDING 1.5 s
    auto emu = emulator::Emulator::Start(eo);
    ASSERT_TRUE(emu.ok()) << emu.status().ToString();
    emu_ = std::move(*emu);
    auto s = storage::SqliteStore::Open({dir_ + "/slipway.db"}, failpoints_);
    ASSERT_TRUE(s.ok());
    store_ = std::move(*s);
    engine_ = std::make_unique<engine::Engine>(*store_, clock_, failpoints_,
                                               engine::EngineOptions{});
    ASSERT_TRUE(engine_->RegisterType(engine::testing::SevenStepType(
                    "vercel", "vercel_step", engine::RetryPolicy())).ok());
  }
  void TearDown() override {
    engine_.reset();
    store_.reset();
    emu_.reset();
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }
  json StepView(const std::string& id, const std::string& step) {
    auto w = engine_->Get(id);
    if (!w.ok()) return json();
    for (const auto& s : w->steps) {
      if (s["name"] == step) return s;
    }
    return json();
  }
  // Waits (real time, bounded) until `done` holds.
  bool WaitFor(const std::function<bool()>& done, int seconds) {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < until) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  std::string dir_;
  SystemClock clock_;
  Failpoints failpoints_;
  std::unique_ptr<emulator::Emulator> emu_;
  std::unique_ptr<storage::SqliteStore> store_;
  std::unique_ptr<engine::Engine> engine_;
};

TEST_F(WaitingCrashTest, KilledWhileWaitingOnVercelItCompletesWithOneDeployment) {
  uint64_t seed = std::random_device{}();
  std::cout << "waiting crash test seed: " << seed << std::endl;
  std::mt19937_64 rng(seed);
  const std::string id = "tenant1:deploy-1";
  auto w = engine_->Start({"vercel", "tenant1", json::object(), id}, engine::Caller{"ops:driver"});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  const std::string db = dir_ + "/slipway.db";
  for (int life = 0; life < 2; ++life) {
    pid_t worker = SpawnWorker(db, emu_->base_url(), "worker-" + std::to_string(life));
    ASSERT_TRUE(WaitFor([&] { return StepView(id, "s2").value("status", "") == "waiting"; }, 60))
        << "s2 never waited: " << StepView(id, "s2").dump();
    // Between two looks or in the middle of one: either must carry on.
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 400)(rng)));
    Kill(worker);
    ASSERT_NE(engine_->Get(id)->instance.status, "completed") << "killed too late";
  }
  pid_t worker = SpawnWorker(db, emu_->base_url(), "worker-2");
  bool done = WaitFor([&] { return engine_->Get(id)->instance.status == "completed"; }, 120);
  Kill(worker);
  ASSERT_TRUE(done) << engine_->Get(id)->ToJson().dump();

  EXPECT_EQ(emu_->log().Count("deployment_created"), 1);
  json s2 = StepView(id, "s2");
  EXPECT_EQ(s2["status"], "succeeded");
  EXPECT_EQ(s2["attempts"], 1);
  auto history = engine_->History(id, 0, 0);
  ASSERT_TRUE(history.ok());
  EXPECT_TRUE(engine::VerifyChain(*history).ok());
  int progress_events = 0;
  for (const auto& e : *history) {
    if (e.type == "step_progress") ++progress_events;
    EXPECT_NE(e.type, "step_failed") << e.data_json;  // no attempt was lost or retried
  }
  EXPECT_GE(progress_events, 1);
  EXPECT_LE(progress_events, 2);  // QUEUED, BUILDING: per state change, not per look
  auto tasks = store_->TasksOf(id);
  ASSERT_TRUE(tasks.ok());
  EXPECT_TRUE(tasks->empty());
}

}  // namespace
}  // namespace slipway
