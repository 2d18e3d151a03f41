// tests/crash/quarantine_test.cc: a task that keeps killing its process is quarantined.
//
// Two workflows carry an input that makes their activity end the worker process (abort(),
// as std::terminate does, and SIGKILL); five healthy workflows share the database. The test
// restarts the worker each time it dies (the 500 ms lease then lets the next life claim the
// lost tasks) until every workflow is final. It checks the engine's own records: each poisoned
// workflow failed with its step quarantined after exactly three attempts, two lost attempts
// and the quarantine in history; every healthy workflow completed; no task is left; every
// history chain verifies; and the process never died more than the poison can explain.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "engine/audit.h"
#include "engine/engine.h"
#include "engine/testing/test_workflow.h"
#include "storage/sqlite_store.h"

extern char** environ;

namespace slipway {
namespace {

using nlohmann::json;

pid_t SpawnWorker(const std::string& db, const std::string& owner) {
  std::string bin = QUARANTINE_WORKER_PATH;
  std::vector<std::string> args = {bin, db, owner};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  EXPECT_EQ(posix_spawn(&pid, bin.c_str(), nullptr, nullptr, argv.data(), environ), 0);
  return pid;
}

class QuarantineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/slipway-quarantine-XXXXXX";
    dir_ = mkdtemp(tmpl);
    db_ = dir_ + "/slipway.db";
    auto s = storage::SqliteStore::Open({db_}, failpoints_);
    ASSERT_TRUE(s.ok());
    store_ = std::move(*s);
    engine::EngineOptions o;
    o.owner = "driver";
    engine_ = std::make_unique<engine::Engine>(*store_, clock_, failpoints_, o);
    ASSERT_TRUE(engine_->RegisterType(
        engine::testing::SevenStepType("seven", "poison", engine::RetryPolicy())).ok());
  }
  void TearDown() override {
    engine_.reset();
    store_.reset();
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }
  void StartWorkflow(const std::string& id, json input) {
    auto w = engine_->Start({"seven", "tenant-" + id, std::move(input), id},
                            engine::Caller{"ops:driver"});
    ASSERT_TRUE(w.ok()) << w.status().ToString();
  }
  bool AllFinal(const std::vector<std::string>& ids) {
    for (const auto& id : ids) {
      auto inst = store_->Load(id);
      if (!inst.ok() || !engine::status::IsFinal(inst->status)) return false;
    }
    return true;
  }

  std::string dir_, db_;
  SystemClock clock_;
  Failpoints failpoints_;
  std::unique_ptr<storage::SqliteStore> store_;
  std::unique_ptr<engine::Engine> engine_;
};

TEST_F(QuarantineTest, AStepThatKeepsKillingTheProcessIsQuarantinedAndTheRestCompletes) {
  const std::vector<std::string> poisoned = {"poison-abort", "poison-sigkill"};
  StartWorkflow("poison-abort", {{"die", "abort"}});
  StartWorkflow("poison-sigkill", {{"die", "sigkill"}});
  std::vector<std::string> all = poisoned;
  for (int i = 0; i < 5; ++i) {
    all.push_back("healthy-" + std::to_string(i));
    StartWorkflow(all.back(), json::object());
  }
  // Each poisoned step may end the process 3 times; one death can take both at once.
  constexpr int kMaxDeaths = 6;
  int deaths = 0, lives = 0;
  pid_t worker = SpawnWorker(db_, "worker-0");
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (!AllFinal(all)) {
    ASSERT_LT(std::chrono::steady_clock::now(), give_up) << "workflows never became final";
    int status = 0;
    pid_t done = waitpid(worker, &status, WNOHANG);
    if (done == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    ASSERT_EQ(done, worker);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the worker exited by itself";
    EXPECT_TRUE(WTERMSIG(status) == SIGABRT || WTERMSIG(status) == SIGKILL) << WTERMSIG(status);
    ++deaths;
    ASSERT_LE(deaths, kMaxDeaths) << "the poison is not quarantined: a crash loop";
    worker = SpawnWorker(db_, "worker-" + std::to_string(++lives));
  }
  EXPECT_GE(deaths, 5);  // three each, at most one of them shared
  // The last life is alive and well: it stops gracefully.
  kill(worker, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(worker, &status, 0), worker);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "graceful stop failed";

  for (const auto& id : poisoned) {
    auto w = engine_->Get(id);
    ASSERT_TRUE(w.ok());
    EXPECT_EQ(w->instance.status, "failed") << id;
    json s1 = w->steps[0];
    EXPECT_EQ(s1["status"], "failed") << id;
    EXPECT_EQ(s1["attempts"], 3) << id;
    EXPECT_EQ(s1["error"]["code"], "quarantined") << id;
    EXPECT_EQ(json::parse(w->instance.error_json)["code"], "quarantined") << id;
    std::vector<std::string> failures;
    auto history = store_->History(id, 0, 0);
    ASSERT_TRUE(history.ok());
    for (const auto& e : *history) {
      if (e.type == "step_failed") failures.push_back(json::parse(e.data_json)["error"]["code"]);
    }
    EXPECT_EQ(failures, (std::vector<std::string>{"attempt_lost", "attempt_lost", "quarantined"}))
        << id;
  }
  for (const auto& id : all) {
    auto h = store_->History(id, 0, 0);
    ASSERT_TRUE(h.ok());
    EXPECT_TRUE(engine::VerifyChain(*h).ok()) << id;
    if (id.rfind("healthy-", 0) == 0) {
      EXPECT_EQ(store_->Load(id)->status, "completed") << id;
    }
  }
  auto stats = store_->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->tasks, 0);
  std::cout << "worker deaths: " << deaths << std::endl;
}

}  // namespace
}  // namespace slipway
