// storage/pg_store_test.cc: runs the Store suite on PgStore (a fresh database of a real,
// throwaway PostgreSQL cluster: storage/testing/pg_cluster.h), plus PostgreSQL-specific
// behaviour: migrations on open (an old schema, nodes opening at once), change notices from
// one node to another (the listener, the head cache), and failpoint atomicity.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <pqxx/pqxx>
#include <thread>

#include "engine/base/failpoints.h"
#include "storage/pg_store.h"
#include "storage/store_test_suite.h"
#include "storage/testing/pg_cluster.h"

namespace slipway::storage {

using testing::CreateCp;
using testing::kT0;
using testing::MakeTask;
using testing::PgCluster;
using testing::UpdateCp;

std::unique_ptr<PgStore> MustOpen(const PgOptions& o, Failpoints& fp) {
  Result<std::unique_ptr<PgStore>> s = PgStore::Open(o, fp);
  if (!s.ok()) std::cerr << "PgStore::Open: " << s.status().ToString() << "\n";
  SLIPWAY_CHECK(s.ok());
  return std::move(*s);
}

// A fresh database per test, dropped at the end.
class PgDatabase {
 public:
  PgDatabase() : dsn_(PgCluster::Shared().CreateDatabase()) {}
  ~PgDatabase() { PgCluster::Shared().DropDatabase(dsn_); }
  const std::string& dsn() const { return dsn_; }

 private:
  std::string dsn_;
};


class PgBackend final : public testing::StoreBackend {
 public:
  std::unique_ptr<Store> OpenHandle() override {
    PgOptions o;
    o.dsn = db_.dsn();
    o.connections = 4;
    return MustOpen(o, failpoints_);
  }

 private:
  PgDatabase db_;
  Failpoints failpoints_;
};

namespace {

class PgStoreTest : public ::testing::Test {
 protected:
  PgOptions Options() const {
    PgOptions o;
    o.dsn = db_.dsn();
    o.connections = 2;
    return o;
  }
  std::unique_ptr<PgStore> Open() { return MustOpen(Options(), failpoints_); }

  PgDatabase db_;
  Failpoints failpoints_;
};

TEST_F(PgStoreTest, AnOldSchemaIsMigratedOnOpen) {
  PgOptions old = Options();
  old.schema_version = 1;
  {
    auto store = MustOpen(old, failpoints_);
    EXPECT_EQ(*store->AppliedSchemaVersions(), std::vector<int>{1});
  }
  {
    // Rows as a build of schema 1 wrote them (this build's statements name later columns).
    pqxx::connection c(db_.dsn());
    pqxx::work w(c);
    w.exec0(
        "INSERT INTO instances (id, type, tenant, status, state, input_json, input_hash,"
        " context_json, result_json, error_json, serial_key, version, last_seq, last_hash,"
        " created_at_ms, updated_at_ms, deadline_ms) VALUES ('wf-1', 'test', 'tenant-a',"
        " 'running', 's', '{}', 'h', '{}', '', '', '', 1, 0, '', 0, 0, 0)");
    w.exec0("INSERT INTO tasks (workflow_id, kind, step, attempt, due_at_ms, payload_json)"
            " VALUES ('wf-1', 'timer', '', 0, " + std::to_string(kT0) + ", '{}')");
    w.commit();
  }
  auto store = Open();
  std::vector<int> all;
  for (int v = 1; v <= PgStore::LatestSchemaVersion(); ++v) all.push_back(v);
  EXPECT_EQ(*store->AppliedSchemaVersions(), all);
  EXPECT_EQ(store->Load("wf-1")->version, 1);  // the data survived
  EXPECT_EQ(store->Load("wf-1")->type_version, 1);  // rows from before versions: the first
  EXPECT_EQ(store->ClaimTasks(testing::Claim("owner-a", kT0))->size(), 1u);
}

TEST_F(PgStoreTest, NodesOpeningAtOnceApplyEachMigrationOnce) {
  std::vector<std::thread> threads;
  std::vector<std::unique_ptr<PgStore>> stores(4);
  for (size_t i = 0; i < stores.size(); ++i) {
    threads.emplace_back([&, i] { stores[i] = Open(); });
  }
  for (auto& t : threads) t.join();
  std::vector<int> all;
  for (int v = 1; v <= PgStore::LatestSchemaVersion(); ++v) all.push_back(v);
  for (auto& s : stores) EXPECT_EQ(*s->AppliedSchemaVersions(), all);
}

TEST_F(PgStoreTest, UnreachableServerIsUnavailable) {
  PgOptions o;
  o.dsn = "host=/nonexistent-dir user=slipway dbname=none";
  Result<std::unique_ptr<PgStore>> s = PgStore::Open(o, failpoints_);
  EXPECT_EQ(s.status().code(), Code::kUnavailable);
  o.dsn = "";
  EXPECT_EQ(PgStore::Open(o, failpoints_).status().code(), Code::kInvalidArgument);
}

TEST_F(PgStoreTest, MidFailpointRollsBackACheckpointWhole) {
  auto store = Open();
  ASSERT_TRUE(failpoints_.Arm("store.commit.mid", "error").ok());
  Checkpoint cp = CreateCp("wf-1", {MakeTask("wf-1", "timer", kT0)});
  cp.serial = Checkpoint::Serial::kEnqueue;
  EXPECT_EQ(store->Commit(cp).code(), Code::kUnavailable);
  EXPECT_EQ(store->Load("wf-1").status().code(), Code::kNotFound);
  EXPECT_TRUE(store->TasksOf("wf-1")->empty());
  EXPECT_TRUE(store->SerialQueue("deploy:tenant-a")->empty());
  failpoints_.DisarmAll();
  EXPECT_TRUE(store->Commit(cp).ok());
}

// A renewal skips a row another transaction holds locked (a checkpoint completing the task)
// instead of waiting for it, and does not call that lease lost: a renewal that waited took
// its row locks in another order than a batch of checkpoints and deadlocked with it.
TEST_F(PgStoreTest, RenewalSkipsALockedRowWithoutCallingItLost) {
  auto store = Open();
  ASSERT_TRUE(store->Commit(CreateCp("wf-1", {MakeTask("wf-1", "step", kT0)})).ok());
  ASSERT_TRUE(store->Commit(CreateCp("wf-2", {MakeTask("wf-2", "step", kT0)})).ok());
  ClaimRequest claim;
  claim.owner = "owner-a";
  claim.now_ms = kT0;
  claim.lease_until_ms = kT0 + 1000;
  claim.limit = 2;
  Result<std::vector<Task>> got = store->ClaimTasks(claim);
  ASSERT_TRUE(got.ok() && got->size() == 2u);
  const int64_t locked = (*got)[0].id, free = (*got)[1].id;
  const std::string locked_wf = (*got)[0].workflow_id;

  pqxx::connection holder(db_.dsn());
  pqxx::work lock(holder);
  lock.exec_params("SELECT id FROM tasks WHERE id = $1 FOR UPDATE", locked);
  Result<std::vector<int64_t>> lost =
      store->RenewLeases("owner-a", {locked, free, 987654}, kT0 + 5000);  // would block
  ASSERT_TRUE(lost.ok()) << lost.status().ToString();
  EXPECT_EQ(*lost, std::vector<int64_t>{987654});
  lock.abort();
  for (const char* wf : {"wf-1", "wf-2"}) {
    for (const Task& t : *store->TasksOf(wf)) {
      EXPECT_EQ(t.lease_until_ms, wf == locked_wf ? kT0 + 1000 : kT0 + 5000) << wf;
    }
  }
  lost = store->RenewLeases("owner-a", {locked, free}, kT0 + 9000);
  ASSERT_TRUE(lost.ok());
  EXPECT_TRUE(lost->empty());
  EXPECT_EQ(store->RenewLeases("owner-b", {locked}, kT0 + 9000).value(),
            std::vector<int64_t>{locked});
}

// Counts change notices; Wait blocks until `n` arrived (or a generous bound passed, which
// fails the test: the bound is a hang guard, not a timing assertion).
class NoticeCounter {
 public:
  std::function<void()> Fn() {
    return [this] {
      std::lock_guard<std::mutex> lock(mu_);
      ++count_;
      cv_.notify_all();
    };
  }
  bool WaitFor(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(20), [&] { return count_ >= n; });
  }
  int count() {
    std::lock_guard<std::mutex> lock(mu_);
    return count_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int count_ = 0;
};

TEST_F(PgStoreTest, ACommitOnOneNodeWakesTheOtherNodesListener) {
  auto a = Open();
  auto b = Open();
  NoticeCounter on_a;
  NoticeCounter on_b;
  a->SetChangeListener(on_a.Fn());
  b->SetChangeListener(on_b.Fn());
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(a->Commit(CreateCp("wf-1", {MakeTask("wf-1", "timer", kT0)})).ok());
  ASSERT_TRUE(on_b.WaitFor(1));
  const auto ms = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - start).count() / 1000.0;
  std::cout << "notice from node A reached node B " << ms << " ms after Commit was called\n";
  // Released leases wake the others too (their tasks are claimable at once).
  auto claimed = a->ClaimTasks(testing::Claim("owner-a", kT0));
  ASSERT_EQ(claimed->size(), 1u);
  ASSERT_TRUE(a->ReleaseLeases("owner-a", {(*claimed)[0].id}).ok());
  ASSERT_TRUE(on_b.WaitFor(2));
  EXPECT_EQ(on_a.count(), 0);  // a node is not told of its own commits
  b->SetChangeListener({});
}

TEST_F(PgStoreTest, HeadCacheSeesAnotherNodesCommit) {
  auto a = Open();
  auto b = Open();
  NoticeCounter on_b;
  b->SetChangeListener(on_b.Fn());
  ASSERT_TRUE(a->Commit(CreateCp("wf-1")).ok());
  ASSERT_TRUE(on_b.WaitFor(1));
  EXPECT_EQ(b->LoadHead("wf-1")->version, 1);  // now cached on b
  EXPECT_EQ(b->LoadHead("wf-1")->version, 1);
  ASSERT_TRUE(a->Commit(UpdateCp("wf-1", 1, 2)).ok());
  ASSERT_TRUE(on_b.WaitFor(2));
  EXPECT_EQ(b->LoadHead("wf-1")->version, 2);
  ASSERT_TRUE(b->Commit(UpdateCp("wf-1", 2, 3)).ok());
  EXPECT_EQ(b->LoadHead("wf-1")->version, 3);  // its own commit: at once
}

}  // namespace
}  // namespace slipway::storage

namespace slipway::storage::testing {
// The suite's tests are named Postgres/StoreSuite.<Behaviour>/Postgres.
INSTANTIATE_TEST_SUITE_P(Postgres, StoreSuite,
                         ::testing::Values(StoreSuiteParam{
                             "Postgres",
                             [] { return std::make_unique<::slipway::storage::PgBackend>(); }}),
                         StoreSuiteParamName);
}  // namespace slipway::storage::testing
