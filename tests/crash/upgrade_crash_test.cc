// tests/crash/upgrade_crash_test.cc: an upgrade with workflows parked on a timer, with real
// processes killed by SIGKILL (upgrade_worker.cc).
//
// A worker that registers "upgrade" v1 runs workflows until they wait on their durable timer
// and is SIGKILLed. A worker of a build that dropped v1 (v2 only) then holds the parked v1
// workflows when their timers fire, failed with type_version_unregistered and nothing run on
// v2's table, while new workflows run on v2; it is SIGKILLed too. Ops resume the held ones,
// and a worker that registers v1 and v2 finishes them on v1's table. The test checks the
// engine's own records: statuses, the versions, which steps ran (history), every chain.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <thread>

#include "engine/audit.h"
#include "engine/engine.h"
#include "engine/testing/upgrade_workflow.h"
#include "storage/sqlite_store.h"

extern char** environ;

namespace slipway {
namespace {

using nlohmann::json;

// Long enough that every workflow is parked before the first timer fires, on a busy machine.
constexpr int64_t kPauseMs = 4000;

class UpgradeCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/slipway-upgrade-XXXXXX";
    dir_ = mkdtemp(tmpl);
    db_ = dir_ + "/slipway.db";
    auto s = storage::SqliteStore::Open({db_}, failpoints_);
    ASSERT_TRUE(s.ok());
    store_ = std::move(*s);
  }
  void TearDown() override {
    if (worker_ > 0) KillWorker();
    engine_.reset();
    store_.reset();
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }
  // The driver's own engine (starts and resumes workflows; runs nothing itself).
  void DriverWith(const std::vector<int>& versions) {
    engine_.reset();
    engine::EngineOptions o;
    o.owner = "driver";
    engine_ = std::make_unique<engine::Engine>(*store_, clock_, failpoints_, o);
    for (int v : versions) {
      ASSERT_TRUE(engine_->RegisterType(engine::testing::UpgradeType(v, "pass",
                                                                     engine::RetryPolicy(),
                                                                     kPauseMs))
                      .ok());
    }
  }
  void SpawnWorker(const std::string& owner, const std::string& versions) {
    std::string bin = UPGRADE_WORKER_PATH;
    std::vector<std::string> args = {bin, db_, owner, versions, std::to_string(kPauseMs)};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ASSERT_EQ(posix_spawn(&worker_, bin.c_str(), nullptr, nullptr, argv.data(), environ), 0);
  }
  void KillWorker() {
    kill(worker_, SIGKILL);
    int status = 0;
    EXPECT_EQ(waitpid(worker_, &status, 0), worker_);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "the worker died early";
    worker_ = 0;
  }
  std::vector<std::string> Start(const std::string& prefix, int n) {
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) {
      auto w = engine_->Start({"upgrade", "tenant-" + prefix + std::to_string(i),
                               json::object(), ""},
                              engine::Caller{"ops:driver"});
      EXPECT_TRUE(w.ok()) << w.status().ToString();
      if (w.ok()) ids.push_back(w->instance.id);
    }
    return ids;
  }
  // Waits (real time) until every workflow's status is one of `statuses`.
  bool WaitFor(const std::vector<std::string>& ids, const std::vector<std::string>& statuses) {
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < give_up) {
      bool all = true;
      for (const auto& id : ids) {
        auto inst = store_->Load(id);
        all = all && inst.ok() &&
              std::find(statuses.begin(), statuses.end(), inst->status) != statuses.end();
      }
      if (all) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  std::vector<std::string> Events(const std::string& id) {
    std::vector<std::string> out;
    auto h = store_->History(id, 0, 0);
    EXPECT_TRUE(h.ok());
    if (!h.ok()) return out;
    EXPECT_TRUE(engine::VerifyChain(*h).ok()) << id;
    for (const auto& e : *h) out.push_back(e.type + (e.step.empty() ? "" : ":" + e.step));
    return out;
  }
  static bool Has(const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  }

  std::string dir_, db_;
  SystemClock clock_;
  Failpoints failpoints_;
  std::unique_ptr<storage::SqliteStore> store_;
  std::unique_ptr<engine::Engine> engine_;
  pid_t worker_ = 0;
};

TEST_F(UpgradeCrashTest, ParkedWorkflowsSurviveAKilledUpgradeAndFinishOnTheirOwnTable) {
  // v1 runs the workflows to their timer; the process is killed while they are parked.
  DriverWith({1});
  std::vector<std::string> old_ids = Start("old", 4);
  SpawnWorker("worker-v1", "1");
  ASSERT_TRUE(WaitFor(old_ids, {"waiting"}));
  KillWorker();

  // A build that dropped v1: new workflows run on v2, the parked v1 ones are held.
  DriverWith({2});
  std::vector<std::string> new_ids = Start("new", 3);
  SpawnWorker("worker-v2", "2");
  ASSERT_TRUE(WaitFor(new_ids, {"completed"}));
  ASSERT_TRUE(WaitFor(old_ids, {"failed"}));
  KillWorker();
  for (const auto& id : old_ids) {
    auto inst = store_->Load(id);
    ASSERT_TRUE(inst.ok());
    EXPECT_EQ(inst->type_version, 1);
    json error = json::parse(inst->error_json);
    EXPECT_EQ(error["code"], "type_version_unregistered") << error.dump();
    EXPECT_EQ(error["type_version"], 1);
    std::vector<std::string> events = Events(id);
    EXPECT_FALSE(Has(events, "timer_fired:pause")) << id;
    EXPECT_FALSE(Has(events, "step_started:finish_v2")) << id;
    EXPECT_TRUE(store_->TasksOf(id)->empty()) << id;
  }
  for (const auto& id : new_ids) {
    EXPECT_EQ(store_->Load(id)->type_version, 2);
    std::vector<std::string> events = Events(id);
    EXPECT_TRUE(Has(events, "step_succeeded:finish_v2")) << id;
    EXPECT_TRUE(Has(events, "step_succeeded:notify_v2")) << id;
  }

  // v1 is back beside v2: ops resume the held workflows, which finish on v1's table.
  DriverWith({1, 2});
  for (const auto& id : old_ids) {
    auto w = engine_->Resume(id, engine::Caller{"ops:alice"});
    ASSERT_TRUE(w.ok()) << w.status().ToString();
  }
  SpawnWorker("worker-v1v2", "1,2");
  ASSERT_TRUE(WaitFor(old_ids, {"completed"}));
  KillWorker();
  for (const auto& id : old_ids) {
    EXPECT_EQ(store_->Load(id)->type_version, 1);
    std::vector<std::string> events = Events(id);
    EXPECT_TRUE(Has(events, "workflow_resumed:pause")) << id;
    EXPECT_TRUE(Has(events, "step_succeeded:finish_v1")) << id;
    EXPECT_FALSE(Has(events, "step_started:finish_v2")) << id;
    EXPECT_TRUE(store_->TasksOf(id)->empty()) << id;
  }
}

}  // namespace
}  // namespace slipway
