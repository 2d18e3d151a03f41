// storage/sqlite_store_test.cc: runs the Store suite on SqliteStore (a temp-dir file), plus
// SQLite-specific behaviour: checkpoint atomicity under failpoints, the ambiguous "after"
// case, durability across reopen, migrations, busy and corrupt files.
#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "engine/base/failpoints.h"
#include "storage/sqlite_store.h"
#include "storage/store_test_suite.h"
#include "storage/testing/sqlite_testing.h"

namespace slipway::storage {
namespace {

using testing::CreateCp;
using testing::kT0;
using testing::MakeTask;
using testing::UpdateCp;

using testing::MustOpen;
using testing::TempDir;

class SqliteBackend final : public testing::StoreBackend {
 public:
  std::unique_ptr<Store> OpenHandle() override {
    return MustOpen(SqliteOptions{dir_.File("store.db")}, failpoints_);
  }

 private:
  TempDir dir_;
  Failpoints failpoints_;
};

class SqliteStoreTest : public ::testing::Test {
 protected:
  SqliteOptions Options() const { return SqliteOptions{dir_.File("store.db")}; }
  std::unique_ptr<SqliteStore> Open() { return MustOpen(Options(), failpoints_); }

  TempDir dir_;
  Failpoints failpoints_;
};

TEST_F(SqliteStoreTest, MidFailpointRollsBackACreateWhole) {
  auto store = Open();
  ASSERT_TRUE(failpoints_.Arm("store.commit.mid", "error").ok());
  Checkpoint cp = CreateCp("wf-1", {MakeTask("wf-1", "timer", kT0)});
  cp.serial = Checkpoint::Serial::kEnqueue;
  EXPECT_EQ(store->Commit(cp).code(), Code::kUnavailable);
  EXPECT_EQ(store->Load("wf-1").status().code(), Code::kNotFound);
  EXPECT_TRUE(store->History("wf-1", 0, 0)->empty());
  EXPECT_TRUE(store->TasksOf("wf-1")->empty());
  EXPECT_TRUE(store->SerialQueue("deploy:tenant-a")->empty());
  failpoints_.DisarmAll();
  EXPECT_TRUE(store->Commit(cp).ok());  // and the retry succeeds
}

TEST_F(SqliteStoreTest, MidFailpointRollsBackAnUpdateWhole) {
  auto store = Open();
  ASSERT_TRUE(store->Commit(CreateCp("wf-1", {MakeTask("wf-1", "activity:a", kT0)})).ok());
  auto claimed = store->ClaimTasks(testing::Claim("owner-a", kT0));
  ASSERT_EQ(claimed->size(), 1u);
  Checkpoint up = UpdateCp("wf-1", 1, 2);
  up.done_task_ids = {(*claimed)[0].id};
  up.lease_owner = "owner-a";
  up.new_tasks = {MakeTask("wf-1", "activity:b", kT0)};
  ASSERT_TRUE(failpoints_.Arm("store.commit.mid", "error*1").ok());
  EXPECT_EQ(store->Commit(up).code(), Code::kUnavailable);
  EXPECT_EQ(store->Load("wf-1")->version, 1);
  EXPECT_EQ(store->History("wf-1", 0, 0)->size(), 1u);
  auto tasks = store->TasksOf("wf-1");
  ASSERT_EQ(tasks->size(), 1u);
  EXPECT_EQ((*tasks)[0].kind, "activity:a");
  EXPECT_EQ((*tasks)[0].lease_owner, "owner-a");
  EXPECT_TRUE(store->Commit(up).ok());  // error*1 is spent
  EXPECT_EQ(store->Load("wf-1")->version, 2);
}

TEST_F(SqliteStoreTest, BeforeFailpointWritesNothing) {
  auto store = Open();
  ASSERT_TRUE(failpoints_.Arm("store.commit.before", "error").ok());
  EXPECT_EQ(store->Commit(CreateCp("wf-1")).code(), Code::kUnavailable);
  auto batch = store->CommitBatch({CreateCp("wf-2"), CreateCp("wf-3")});
  EXPECT_EQ(batch[0].code(), Code::kUnavailable);
  EXPECT_EQ(batch[1].code(), Code::kUnavailable);
  EXPECT_EQ(store->Stats()->instances, 0);
}

TEST_F(SqliteStoreTest, AfterFailpointReportsAnErrorButTheDataIsCommitted) {
  auto store = Open();
  ASSERT_TRUE(failpoints_.Arm("store.commit.after", "error*2").ok());
  Checkpoint cp = CreateCp("wf-1", {MakeTask("wf-1", "timer", kT0)});
  EXPECT_EQ(store->Commit(cp).code(), Code::kUnavailable);
  EXPECT_EQ(store->Load("wf-1")->version, 1);
  EXPECT_EQ(store->History("wf-1", 0, 0)->size(), 1u);
  EXPECT_EQ(store->TasksOf("wf-1")->size(), 1u);
  // A blind retry of the same checkpoint then tells the caller it already happened.
  EXPECT_EQ(store->Commit(cp).code(), Code::kAlreadyExists);
  auto batch = store->CommitBatch({CreateCp("wf-2"), CreateCp("wf-1")});
  EXPECT_EQ(batch[0].code(), Code::kUnavailable);
  EXPECT_EQ(batch[1].code(), Code::kAlreadyExists);  // its own failure is kept
  EXPECT_TRUE(store->Load("wf-2").ok());
}

TEST_F(SqliteStoreTest, MidFailpointInABatchRollsBackOnlyThatCheckpoint) {
  auto store = Open();
  ASSERT_TRUE(failpoints_.Arm("store.commit.mid", "error*1").ok());
  auto out = store->CommitBatch({CreateCp("wf-1", {MakeTask("wf-1", "timer", kT0)}),
                                 CreateCp("wf-2"), CreateCp("wf-3")});
  EXPECT_EQ(out[0].code(), Code::kUnavailable);
  EXPECT_TRUE(out[1].ok());
  EXPECT_TRUE(out[2].ok());
  EXPECT_EQ(store->Load("wf-1").status().code(), Code::kNotFound);
  EXPECT_TRUE(store->TasksOf("wf-1")->empty());
  EXPECT_EQ(store->Stats()->instances, 2);
}

TEST_F(SqliteStoreTest, ReopeningTheFileKeepsEverything) {
  int64_t task_id = 0;
  {
    auto store = Open();
    Checkpoint cp = CreateCp("wf-1", {MakeTask("wf-1", "activity:a", kT0)});
    cp.serial = Checkpoint::Serial::kEnqueue;
    ASSERT_TRUE(store->Commit(cp).ok());
    ASSERT_TRUE(store->Commit(UpdateCp("wf-1", 1, 2)).ok());
    auto claimed = store->ClaimTasks(testing::Claim("owner-a", kT0));
    ASSERT_EQ(claimed->size(), 1u);
    task_id = (*claimed)[0].id;
    ASSERT_TRUE(store->PutRecord(Record{"tenants", "t1", "{}", 0}, 0).ok());
  }
  auto store = Open();
  EXPECT_EQ(store->Load("wf-1")->version, 2);
  EXPECT_EQ(store->History("wf-1", 0, 0)->size(), 2u);
  auto tasks = store->TasksOf("wf-1");
  ASSERT_EQ(tasks->size(), 1u);
  EXPECT_EQ((*tasks)[0].id, task_id);
  EXPECT_EQ((*tasks)[0].lease_owner, "owner-a");  // leases are durable too
  EXPECT_EQ(*store->SerialQueue("deploy:tenant-a"), std::vector<std::string>{"wf-1"});
  EXPECT_EQ(store->GetRecord("tenants", "t1")->version, 1);
  // AUTOINCREMENT: a new task never reuses the id of a deleted one.
  ASSERT_TRUE(store->DeleteTask(task_id, "").ok());
  ASSERT_TRUE(store->Commit(CreateCp("wf-2", {MakeTask("wf-2", "timer", kT0)})).ok());
  EXPECT_GT((*store->TasksOf("wf-2"))[0].id, task_id);
}

TEST_F(SqliteStoreTest, MigrationsRunOnceAndReopenedFileIsAtLatestVersion) {
  std::vector<int> all;
  for (int v = 1; v <= SqliteStore::LatestSchemaVersion(); ++v) all.push_back(v);
  {
    auto store = Open();
    EXPECT_EQ(*store->AppliedSchemaVersions(), all);
    ASSERT_TRUE(store->Commit(CreateCp("wf-1")).ok());
  }
  auto again = Open();
  auto third = Open();  // a concurrent opener finds nothing to do either
  EXPECT_EQ(*again->AppliedSchemaVersions(), all);
  EXPECT_EQ(*third->AppliedSchemaVersions(), all);
  EXPECT_TRUE(again->Load("wf-1").ok());
}

// Migration 4 adds instances.type_version: the rows of a file from before it read as the
// first version of their type.
TEST_F(SqliteStoreTest, AFileFromBeforeTypeVersionsIsMigratedWithVersionOne) {
  {
    auto store = Open();
    ASSERT_TRUE(store->Commit(CreateCp("wf-1")).ok());
  }
  {
    SQLite::Database raw(Options().path, SQLite::OPEN_READWRITE);
    raw.exec("ALTER TABLE instances DROP COLUMN type_version");
    raw.exec("DELETE FROM schema_version WHERE version >= 4");
  }
  auto store = Open();
  std::vector<int> all;
  for (int v = 1; v <= SqliteStore::LatestSchemaVersion(); ++v) all.push_back(v);
  EXPECT_EQ(*store->AppliedSchemaVersions(), all);
  Result<Instance> got = store->Load("wf-1");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->type_version, 1);
  EXPECT_EQ(got->version, 1);
}

TEST_F(SqliteStoreTest, FileFromANewerBuildIsRefused) {
  { auto store = Open(); }
  {
    SQLite::Database raw(Options().path, SQLite::OPEN_READWRITE);
    raw.exec("INSERT INTO schema_version (version) VALUES (999)");
  }
  auto store = SqliteStore::Open(Options(), failpoints_);
  EXPECT_EQ(store.status().code(), Code::kFailedPrecondition) << store.status().ToString();
}

TEST_F(SqliteStoreTest, AFileThatIsNotADatabaseIsCorruption) {
  std::ofstream(Options().path) << std::string(8192, 'x');
  auto store = SqliteStore::Open(Options(), failpoints_);
  EXPECT_EQ(store.status().code(), Code::kCorruption) << store.status().ToString();
}

// The WAL is copied into the database file by the background checkpointer, not by a commit:
// with a small threshold the main file grows while the store is open; with SQLite's own
// auto-checkpoint (1000 pages) the same few commits stay in the WAL.
TEST_F(SqliteStoreTest, TheWalIsCheckpointedInTheBackground) {
  for (int threshold : {8, 0}) {
    SqliteOptions o = Options();
    o.path = dir_.File("wal-" + std::to_string(threshold) + ".db");
    o.wal_checkpoint_pages = threshold;
    auto store = MustOpen(o, failpoints_);
    const auto initial = std::filesystem::file_size(o.path);
    for (int i = 0; i < 60; ++i) {
      ASSERT_TRUE(store->Commit(CreateCp("wf-" + std::to_string(i))).ok());
    }
    bool grew = false;
    for (int i = 0; i < 500 && !grew; ++i) {  // up to 5 s; usually at once
      grew = std::filesystem::file_size(o.path) > initial;
      if (!grew && threshold == 0 && i == 20) break;  // nothing would copy it: stop early
      if (!grew) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(grew, threshold > 0) << "threshold " << threshold;
    EXPECT_EQ(store->Stats()->instances, 60);
  }
}

// The WAL is written ahead as zeros at open (sqlite_wal_prefill.cc). A copy of the files taken
// while the store is open (what the disk holds if the machine died then) still opens with
// every commit: the zeros past the last frame read as the end of the log.
TEST_F(SqliteStoreTest, TheWalIsWrittenAheadAndACrashImageRecoversEveryCommit) {
  SqliteOptions o = Options();
  o.wal_checkpoint_pages = 0;  // nothing writes the database file while it is copied
  o.wal_prefill_bytes = 2 << 20;
  auto store = MustOpen(o, failpoints_);
  EXPECT_GE(std::filesystem::file_size(o.path + "-wal"), 2u << 20);
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(store->Commit(CreateCp("wf-" + std::to_string(i))).ok());
  }
  EXPECT_EQ(std::filesystem::file_size(o.path + "-wal"), 2u << 20) << "commits overwrite";
  const std::string image = dir_.File("image.db");
  std::filesystem::copy_file(o.path, image);
  std::filesystem::copy_file(o.path + "-wal", image + "-wal");
  {
    SQLite::Database raw(image, SQLite::OPEN_READWRITE);
    EXPECT_EQ(raw.execAndGet("PRAGMA integrity_check").getString(), "ok");
  }
  SqliteOptions copy = o;
  copy.path = image;
  auto reopened = MustOpen(copy, failpoints_);
  EXPECT_EQ(reopened->Stats()->instances, 30);
  EXPECT_EQ(reopened->Load("wf-29")->id, "wf-29");
  ASSERT_TRUE(reopened->Commit(CreateCp("wf-30")).ok());
  EXPECT_EQ(reopened->Stats()->instances, 31);
  // Off: the WAL holds only what was written.
  o.path = dir_.File("plain.db");
  o.wal_prefill_bytes = 0;
  auto plain = MustOpen(o, failpoints_);
  ASSERT_TRUE(plain->Commit(CreateCp("wf-1")).ok());
  EXPECT_LT(std::filesystem::file_size(o.path + "-wal"), 1u << 20);
}

// Under a steady stream of commits the background checkpointer alone never finds the WAL
// wholly copied, so it would never start over; the writer's catch-up lets it (sqlite_wal_
// checkpointer.h). 3,000 commits from one thread write tens of MB of frames; the WAL stays
// near its threshold.
TEST_F(SqliteStoreTest, TheWalStartsOverUnderASteadyStreamOfCommits) {
  SqliteOptions o = Options();
  o.wal_checkpoint_pages = 64;
  o.wal_prefill_bytes = 0;
  auto store = MustOpen(o, failpoints_);
  uintmax_t written = 0, largest = 0;
  for (int i = 0; i < 3000; ++i) {
    Checkpoint cp = CreateCp("wf-" + std::to_string(i));
    cp.instance.context_json = "\"" + std::string(3000, 'x') + "\"";  // a page of its own
    ASSERT_TRUE(store->Commit(cp).ok());
    written += 4096;
    largest = std::max(largest, std::filesystem::file_size(o.path + "-wal"));
  }
  EXPECT_LT(largest, written / 4) << "the WAL grew with every commit";
}

TEST_F(SqliteStoreTest, BadOptionsAreInvalidArgument) {
  EXPECT_EQ(SqliteStore::Open(SqliteOptions{}, failpoints_).status().field(), "path");
  SqliteOptions o = Options();
  o.read_connections = 0;
  EXPECT_EQ(SqliteStore::Open(o, failpoints_).status().field(), "read_connections");
  o = Options();
  o.wal_prefill_bytes = -1;
  EXPECT_EQ(SqliteStore::Open(o, failpoints_).status().field(), "wal_prefill_bytes");
}

TEST_F(SqliteStoreTest, WritesAreUnavailableWhileAnotherWriterHoldsTheLockButReadsGoOn) {
  SqliteOptions o = Options();
  o.busy_timeout_ms = 0;
  auto store = MustOpen(o, failpoints_);
  ASSERT_TRUE(store->Commit(CreateCp("wf-1", {MakeTask("wf-1", "timer", kT0)})).ok());
  SQLite::Database other(o.path, SQLite::OPEN_READWRITE);
  other.exec("BEGIN IMMEDIATE");
  other.exec("UPDATE instances SET state = 'Elsewhere'");
  EXPECT_EQ(store->Commit(UpdateCp("wf-1", 1, 2)).code(), Code::kUnavailable);
  EXPECT_EQ(store->ClaimTasks(testing::Claim("owner-a", kT0)).status().code(),
            Code::kUnavailable);
  EXPECT_EQ(store->CommitBatch({CreateCp("wf-2")})[0].code(), Code::kUnavailable);
  // WAL: readers see the last committed state without waiting for the writer.
  EXPECT_EQ(store->Load("wf-1")->state, "Validating");
  EXPECT_EQ(store->TasksOf("wf-1")->size(), 1u);
  other.exec("COMMIT");
  EXPECT_EQ(store->Load("wf-1")->state, "Elsewhere");
  EXPECT_TRUE(store->Commit(UpdateCp("wf-1", 1, 2)).ok());  // the store recovered
}

TEST_F(SqliteStoreTest, OpensInWalModeWithEitherSyncSetting) {
  for (bool full : {true, false}) {
    SqliteOptions o = Options();
    o.synchronous_full = full;
    auto store = MustOpen(o, failpoints_);
    SQLite::Database raw(o.path, SQLite::OPEN_READONLY);
    EXPECT_EQ(raw.execAndGet("PRAGMA journal_mode").getString(), "wal");
  }
}

TEST_F(SqliteStoreTest, MalformedCheckpointsAreInvalidArgumentAndWriteNothing) {
  auto store = Open();
  Checkpoint foreign = CreateCp("wf-1");
  foreign.events[0].workflow_id = "wf-2";
  EXPECT_EQ(store->Commit(foreign).field(), "events.workflow_id");
  Checkpoint no_key = CreateCp("wf-1");
  no_key.instance.serial_key = "";
  no_key.serial = Checkpoint::Serial::kEnqueue;
  EXPECT_EQ(store->Commit(no_key).field(), "instance.serial_key");
  Checkpoint no_id = CreateCp("");
  EXPECT_EQ(store->Commit(no_id).field(), "instance.id");
  EXPECT_EQ(store->Stats()->instances, 0);
  // An event without a workflow id belongs to the checkpoint's instance.
  Checkpoint implicit = CreateCp("wf-1");
  implicit.events[0].workflow_id = "";
  ASSERT_TRUE(store->Commit(implicit).ok());
  EXPECT_EQ((*store->History("wf-1", 0, 0))[0].workflow_id, "wf-1");
}

TEST_F(SqliteStoreTest, IdleClaimsAreNotCountedAsCommits) {
  auto store = Open();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(store->ClaimTasks(testing::Claim("o", kT0))->empty());
  EXPECT_EQ(store->Stats()->commits, 0);
  ASSERT_TRUE(store->Commit(CreateCp("wf-1")).ok());
  EXPECT_EQ(store->Stats()->commits, 1);
}

TEST_F(SqliteStoreTest, MoreReadersThanPooledConnectionsAllGetServed) {
  SqliteOptions o = Options();
  o.read_connections = 1;
  auto store = MustOpen(o, failpoints_);
  ASSERT_TRUE(store->Commit(CreateCp("wf-1")).ok());
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) ok += store->Load("wf-1").ok() ? 1 : 0;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 200);
}

// Runs `body` in a child process whose failpoint `name` SIGKILLs it; returns once it died.
void RunAndKillAt(const std::string& path, const char* name,
                  const std::function<void(Store&)>& body) {
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    Failpoints fp;
    auto store = SqliteStore::Open(SqliteOptions{path}, fp);
    if (!store.ok() || !fp.Arm(name, "kill").ok()) _exit(2);
    body(**store);
    _exit(3);  // the failpoint did not fire
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
}

TEST_F(SqliteStoreTest, AProcessKilledMidCheckpointLeavesNothingBehind) {
  { auto store = Open(); ASSERT_TRUE(store->Commit(CreateCp("wf-0")).ok()); }
  RunAndKillAt(Options().path, "store.commit.mid", [](Store& s) {
    s.Commit(CreateCp("wf-1", {MakeTask("wf-1", "timer", kT0)})).IgnoreError();
  });
  auto store = Open();
  EXPECT_EQ(store->Load("wf-1").status().code(), Code::kNotFound);
  EXPECT_TRUE(store->TasksOf("wf-1")->empty());
  EXPECT_TRUE(store->History("wf-1", 0, 0)->empty());
  EXPECT_TRUE(store->Load("wf-0").ok());
  EXPECT_TRUE(store->Commit(CreateCp("wf-1")).ok());
}

TEST_F(SqliteStoreTest, AProcessKilledRightAfterCommitKeepsTheCheckpoint) {
  { auto store = Open(); }
  RunAndKillAt(Options().path, "store.commit.after", [](Store& s) {
    s.Commit(CreateCp("wf-1", {MakeTask("wf-1", "timer", kT0)})).IgnoreError();
  });
  auto store = Open();
  EXPECT_EQ(store->Load("wf-1")->version, 1);
  EXPECT_EQ(store->TasksOf("wf-1")->size(), 1u);
  EXPECT_EQ(store->History("wf-1", 0, 0)->size(), 1u);
}


}  // namespace
}  // namespace slipway::storage

namespace slipway::storage::testing {
// The suite's tests are named Sqlite/StoreSuite.<Behaviour>/Sqlite.
INSTANTIATE_TEST_SUITE_P(Sqlite, StoreSuite,
                         ::testing::Values(StoreSuiteParam{
                             "Sqlite", [] { return std::make_unique<::slipway::storage::SqliteBackend>(); }}),
                         StoreSuiteParamName);
}  // namespace slipway::storage::testing
