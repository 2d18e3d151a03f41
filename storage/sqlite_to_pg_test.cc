// storage/sqlite_to_pg_test.cc: CopySqliteToPostgres moves a SQLite installation (with a
// leased task, a serial queue and a record) to PostgreSQL: everything reads back the same,
// the old lease is dropped, new ids come after the old ones, and a second copy into the now
// non-empty database is refused.
#include <gtest/gtest.h>

#include "engine/base/failpoints.h"
#include "storage/pg_store.h"
#include "storage/sqlite_store.h"
#include "storage/sqlite_to_pg.h"
#include "storage/store_test_suite.h"
#include "storage/testing/pg_cluster.h"
#include "storage/testing/sqlite_testing.h"

namespace slipway::storage {
namespace {

using testing::CreateCp;
using testing::kT0;
using testing::MakeTask;
using testing::UpdateCp;

TEST(SqliteToPgTest, CopiesEveryRowAndKeepsIdsAndQueueOrder) {
  testing::TempDir dir;
  Failpoints fp;
  const std::string path = dir.File("slipway.db");
  {
    auto src = testing::MustOpen(SqliteOptions{path}, fp);
    for (const char* id : {"wf-a", "wf-b", "wf-c"}) {
      Checkpoint cp = CreateCp(id, {MakeTask(id, "activity:a", kT0)});
      cp.serial = Checkpoint::Serial::kEnqueue;
      ASSERT_TRUE(src->Commit(cp).ok());
    }
    ASSERT_TRUE(src->Commit(UpdateCp("wf-a", 1, 2)).ok());
    ASSERT_EQ(src->ClaimTasks(testing::Claim("old-node", kT0, 1))->size(), 1u);
    ASSERT_TRUE(src->PutRecord(Record{"tenants", "t1", R"({"plan":"pro"})", 0}, 0).ok());
  }
  auto& cluster = testing::PgCluster::Shared();
  const std::string dsn = cluster.CreateDatabase();
  Result<CopyReport> report = CopySqliteToPostgres(path, dsn);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->instances, 3);
  EXPECT_EQ(report->events, 4);
  EXPECT_EQ(report->tasks, 3);
  EXPECT_EQ(report->queued, 3);
  EXPECT_EQ(report->records, 1);

  auto src = testing::MustOpen(SqliteOptions{path}, fp);
  auto dst = PgStore::Open(PgOptions{dsn}, fp);
  ASSERT_TRUE(dst.ok()) << dst.status().ToString();
  PgStore& pg = **dst;
  for (const char* id : {"wf-a", "wf-b", "wf-c"}) {
    Instance a = *src->Load(id);
    Instance b = *pg.Load(id);
    EXPECT_EQ(a.version, b.version);
    EXPECT_EQ(a.context_json, b.context_json);
    EXPECT_EQ(a.input_json, b.input_json);
    EXPECT_EQ(a.last_hash, b.last_hash);
    auto ha = *src->History(id, 0, 0);
    auto hb = *pg.History(id, 0, 0);
    ASSERT_EQ(ha.size(), hb.size());
    for (size_t i = 0; i < ha.size(); ++i) EXPECT_EQ(ha[i].hash, hb[i].hash);
    auto ta = *src->TasksOf(id);
    auto tb = *pg.TasksOf(id);
    ASSERT_EQ(ta.size(), tb.size());
    EXPECT_EQ(ta[0].id, tb[0].id);
    EXPECT_EQ(tb[0].lease_owner, "");  // the old node's lease is gone
  }
  EXPECT_EQ(*pg.SerialQueue("deploy:tenant-a"), *src->SerialQueue("deploy:tenant-a"));
  EXPECT_EQ(pg.GetRecord("tenants", "t1")->value_json, R"({"plan":"pro"})");
  EXPECT_EQ(pg.ClaimTasks(testing::Claim("new-node", kT0, 10))->size(), 3u);

  // New rows come after the copied ones.
  Checkpoint next = CreateCp("wf-d", {MakeTask("wf-d", "timer", kT0)});
  next.serial = Checkpoint::Serial::kEnqueue;
  ASSERT_TRUE(pg.Commit(next).ok());
  EXPECT_GT((*pg.TasksOf("wf-d"))[0].id, (*pg.TasksOf("wf-c"))[0].id);
  EXPECT_EQ(pg.SerialQueue("deploy:tenant-a")->back(), "wf-d");

  EXPECT_EQ(CopySqliteToPostgres(path, dsn).status().code(), Code::kFailedPrecondition);
  dst->reset();
  cluster.DropDatabase(dsn);
}

}  // namespace
}  // namespace slipway::storage
