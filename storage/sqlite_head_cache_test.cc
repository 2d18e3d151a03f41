// storage/sqlite_head_cache_test.cc: SqliteStore::LoadHead answers from its head cache
// (sqlite_head_cache.h) and never with a head older than what was committed: this process's
// commits show at once, another connection's within foreign_check_ms (at once with 0), and
// reads racing commits leave no old head behind.
#include "storage/sqlite_head_cache.h"

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <random>
#include <thread>
#include <vector>

#include "engine/base/failpoints.h"
#include "storage/sqlite_store.h"
#include "storage/store_test_suite.h"
#include "storage/testing/sqlite_testing.h"

namespace slipway::storage {
namespace {

using testing::CreateCp;
using testing::MustOpen;
using testing::TempDir;
using testing::UpdateCp;

int64_t VersionOf(SqliteStore& store, const std::string& id) {
  Result<Instance> head = store.LoadHead(id);
  return head.ok() ? head->version : -1;
}

Instance Head(const std::string& id, int64_t version) {
  Instance h;
  h.id = id;
  h.version = version;
  return h;
}

TEST(HeadCacheTest, AHeadReadBeforeAWriteEndedIsNotKept) {
  sqlite::HeadCache cache(10);
  const uint64_t before = cache.generation();
  cache.WriteEnded();  // a commit finished while the head was being read
  cache.Put(Head("wf-1", 1), 7, before);
  EXPECT_FALSE(cache.Find("wf-1"));
  cache.Put(Head("wf-1", 2), 7, cache.generation());
  ASSERT_TRUE(cache.Find("wf-1"));
  EXPECT_EQ(cache.Find("wf-1")->version, 2);
}

TEST(HeadCacheTest, TouchedRowsGoWhenTheWriteEnds) {
  sqlite::HeadCache cache(10);
  cache.Put(Head("wf-1", 1), 7, cache.generation());
  cache.Put(Head("wf-2", 1), 8, cache.generation());
  cache.Touched(7);
  EXPECT_TRUE(cache.Find("wf-1"));  // not before the transaction ends
  cache.WriteEnded();
  EXPECT_FALSE(cache.Find("wf-1"));
  EXPECT_TRUE(cache.Find("wf-2"));
  cache.ForgetAll();
  EXPECT_EQ(cache.size(), 0u);
}

TEST(HeadCacheTest, AFullCacheStartsOver) {
  sqlite::HeadCache cache(2);
  for (int i = 0; i < 5; ++i) cache.Put(Head("wf-" + std::to_string(i), 1), i, cache.generation());
  EXPECT_LE(cache.size(), 2u);
  EXPECT_TRUE(cache.Find("wf-4"));
}

class SqliteHeadCacheTest : public ::testing::Test {
 protected:
  SqliteOptions Options() const { return SqliteOptions{dir_.File("store.db")}; }
  TempDir dir_;
  Failpoints failpoints_;
};

TEST_F(SqliteHeadCacheTest, OwnCommitsShowAtOnce) {
  auto store = MustOpen(Options(), failpoints_);
  ASSERT_TRUE(store->Commit(CreateCp("wf-1")).ok());
  EXPECT_EQ(VersionOf(*store, "wf-1"), 1);
  EXPECT_EQ(VersionOf(*store, "wf-1"), 1);  // from memory now
  for (int64_t v = 1; v <= 5; ++v) {
    ASSERT_TRUE(store->Commit(UpdateCp("wf-1", v, v + 1)).ok());
    EXPECT_EQ(VersionOf(*store, "wf-1"), v + 1);
  }
  EXPECT_EQ(store->CommitBatch({UpdateCp("wf-1", 6, 7)})[0].code(), Code::kOk);
  EXPECT_EQ(VersionOf(*store, "wf-1"), 7);
  // A rejected checkpoint changes nothing.
  EXPECT_EQ(store->Commit(UpdateCp("wf-1", 3, 8)).code(), Code::kConflict);
  EXPECT_EQ(VersionOf(*store, "wf-1"), 7);
  EXPECT_EQ(store->LoadHead("wf-nope").status().code(), Code::kNotFound);
}

TEST_F(SqliteHeadCacheTest, AnotherConnectionsCommitShowsAtOnceWithNoBound) {
  SqliteOptions o = Options();
  o.foreign_check_ms = 0;
  auto store = MustOpen(o, failpoints_);
  auto other = MustOpen(Options(), failpoints_);  // another process, as far as SQLite knows
  ASSERT_TRUE(other->Commit(CreateCp("wf-1")).ok());
  EXPECT_EQ(VersionOf(*store, "wf-1"), 1);
  EXPECT_EQ(VersionOf(*store, "wf-1"), 1);
  ASSERT_TRUE(other->Commit(UpdateCp("wf-1", 1, 2)).ok());
  EXPECT_EQ(VersionOf(*store, "wf-1"), 2);
  {
    SQLite::Database raw(o.path, SQLite::OPEN_READWRITE);
    raw.exec("UPDATE instances SET status = 'failed' WHERE id = 'wf-1'");
  }
  EXPECT_EQ(store->LoadHead("wf-1")->status, "failed");
}

TEST_F(SqliteHeadCacheTest, AnotherConnectionsCommitShowsWithinTheBound) {
  auto store = MustOpen(Options(), failpoints_);  // foreign_check_ms = 100
  auto other = MustOpen(Options(), failpoints_);
  ASSERT_TRUE(other->Commit(CreateCp("wf-1")).ok());
  EXPECT_EQ(VersionOf(*store, "wf-1"), 1);
  ASSERT_TRUE(other->Commit(UpdateCp("wf-1", 1, 2)).ok());
  // Polls for the outcome; the guard only stops a hang (no timing assertion).
  const auto guard = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (VersionOf(*store, "wf-1") != 2 && std::chrono::steady_clock::now() < guard) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(VersionOf(*store, "wf-1"), 2);
}

// Readers hammer LoadHead while a writer moves four workflows on: once the writer is done,
// every head read shows the last version (a read that raced a commit kept nothing old).
TEST_F(SqliteHeadCacheTest, ConcurrentReadsNeverKeepAnOldHead) {
  auto store = MustOpen(Options(), failpoints_);
  const std::vector<std::string> ids = {"wf-a", "wf-b", "wf-c", "wf-d"};
  for (const auto& id : ids) ASSERT_TRUE(store->Commit(CreateCp(id)).ok());
  constexpr int64_t kUpdates = 150;
  std::atomic<bool> done{false};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&, r] {
      std::mt19937 rng(r);
      while (!done.load()) (void)store->LoadHead(ids[rng() % ids.size()]);
    });
  }
  for (int64_t v = 1; v <= kUpdates; ++v) {
    for (const auto& id : ids) ASSERT_TRUE(store->Commit(UpdateCp(id, v, v + 1)).ok());
  }
  for (const auto& id : ids) EXPECT_EQ(VersionOf(*store, id), kUpdates + 1) << id;
  done = true;
  for (auto& t : readers) t.join();
  for (const auto& id : ids) EXPECT_EQ(VersionOf(*store, id), kUpdates + 1) << id;
}

TEST_F(SqliteHeadCacheTest, BadOptionsAreInvalidArgument) {
  SqliteOptions o = Options();
  o.head_cache_entries = -1;
  EXPECT_EQ(SqliteStore::Open(o, failpoints_).status().field(), "head_cache_entries");
  o = Options();
  o.foreign_check_ms = -1;
  EXPECT_EQ(SqliteStore::Open(o, failpoints_).status().field(), "foreign_check_ms");
}

}  // namespace
}  // namespace slipway::storage
