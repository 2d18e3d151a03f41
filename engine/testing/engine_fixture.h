// engine/testing/engine_fixture.h: an Engine on a real SqliteStore in a temp directory, a
// FakeClock, failpoints and a RecordingActivity registered as "rec". Tests drive due work
// with engine().RunDueWork() after moving the clock: no sleeps, no threads.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "engine/audit.h"
#include "engine/engine.h"
#include "engine/testing/recording_activity.h"
#include "engine/testing/test_workflow.h"
#include "storage/sqlite_store.h"
#include "storage/testing/faulty_store.h"

namespace slipway::engine::testing {

inline RetryPolicy FastRetry(int max_attempts = 3) {
  RetryPolicy p;
  p.initial_interval_ms = 1000;
  p.backoff_coefficient = 2.0;
  p.max_interval_ms = 10'000;
  p.max_attempts = max_attempts;
  p.jitter = false;
  return p;
}

class EngineFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/slipway-engine-XXXXXX";
    dir_ = mkdtemp(tmpl);
    OpenStore();
    MakeEngine();
  }
  void TearDown() override {
    engine_.reset();
    faulty_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void OpenStore() {
    storage::SqliteOptions o{dir_ + "/slipway.db"};
    // Some tests edit the database file from outside (as an intruder or another process
    // would) and read at once: no 100 ms grace for the head cache to notice.
    o.foreign_check_ms = 0;
    auto s = storage::SqliteStore::Open(o, failpoints_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    faulty_ = std::make_unique<storage::testing::FaultyStore>(*store_);
  }
  // A fresh engine on the same store, as after a process restart.
  void MakeEngine(const std::string& owner = "engine-a") {
    engine_.reset();
    EngineOptions o;
    o.owner = owner;
    o.seed = 42;
    o.lease_ms = 30'000;
    o.history = history_;
    engine_ = std::make_unique<Engine>(*faulty_, clock_, failpoints_, o);
    engine_->RegisterActivity("rec", activity_);
    ASSERT_TRUE(engine_->RegisterType(SevenStepType("seven", "rec", FastRetry())).ok());
    ASSERT_TRUE(engine_->RegisterType(SevenStepType("serial", "rec", FastRetry(), true)).ok());
    ASSERT_TRUE(engine_->RegisterType(RoutedType("rec", FastRetry())).ok());
  }
  Engine& engine() { return *engine_; }
  Workflow Start(const std::string& type, const std::string& tenant = "client1",
                 nlohmann::json input = nlohmann::json::object(), const std::string& id = "") {
    auto w = engine_->Start({type, tenant, input, id}, Caller{"tenant:" + tenant});
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return w.ok() ? *w : Workflow{};
  }
  Workflow Get(const std::string& id) {
    auto w = engine_->Get(id);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return w.ok() ? *w : Workflow{};
  }
  int RunDue() {
    auto n = engine_->RunDueWork();
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    return n.ok() ? *n : -1;
  }
  std::vector<storage::HistoryEvent> History(const std::string& id) {
    auto h = engine_->History(id, 0, 0);
    EXPECT_TRUE(h.ok());
    return h.ok() ? *h : std::vector<storage::HistoryEvent>{};
  }
  int CountEvents(const std::string& id, const std::string& type) {
    int n = 0;
    for (const auto& e : History(id)) n += e.type == type ? 1 : 0;
    return n;
  }
  std::vector<std::string> EventTypes(const std::string& id) {
    std::vector<std::string> out;
    for (const auto& e : History(id)) out.push_back(e.type + (e.step.empty() ? "" : ":" + e.step));
    return out;
  }
  nlohmann::json StepOf(const Workflow& w, const std::string& name) {
    for (const auto& s : w.steps) {
      if (s["name"] == name) return s;
    }
    return nullptr;
  }

  std::string dir_;
  FakeClock clock_;
  Failpoints failpoints_;
  HistoryLimits history_;
  RecordingActivity activity_{clock_};
  std::unique_ptr<storage::SqliteStore> store_;
  std::unique_ptr<storage::testing::FaultyStore> faulty_;
  std::unique_ptr<Engine> engine_;
};

}  // namespace slipway::engine::testing
