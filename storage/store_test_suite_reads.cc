// storage/store_test_suite_reads.cc: the Store suite: Load, List (filters, order, cursor,
// limits), History, records, Stats, counts by type and status, and concurrent commits on
// one handle.
#include <set>
#include <tuple>
#include <thread>

#include "storage/store_test_suite.h"

namespace slipway::storage::testing {
namespace {

std::vector<int64_t> Seqs(const std::vector<HistoryEvent>& events) {
  std::vector<int64_t> out;
  for (const auto& e : events) out.push_back(e.seq);
  return out;
}

std::vector<std::string> Ids(const std::vector<Instance>& instances) {
  std::vector<std::string> out;
  for (const auto& i : instances) out.push_back(i.id);
  return out;
}

TEST_P(StoreSuite, LoadOfUnknownIdIsNotFound) {
  EXPECT_EQ(store().Load("nope").status().code(), Code::kNotFound);
}

TEST_P(StoreSuite, HistoryHonoursAfterSeqAndLimit) {
  ASSERT_TRUE(store().Commit(CreateCp("wf-1")).ok());
  for (int64_t v = 1; v < 5; ++v) ASSERT_TRUE(store().Commit(UpdateCp("wf-1", v, v + 1)).ok());
  EXPECT_EQ(Seqs(*store().History("wf-1", 0, -1)), (std::vector<int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(Seqs(*store().History("wf-1", 2, 0)), (std::vector<int64_t>{3, 4, 5}));
  EXPECT_EQ(Seqs(*store().History("wf-1", 1, 2)), (std::vector<int64_t>{2, 3}));
  EXPECT_TRUE(store().History("wf-1", 5, 0)->empty());
  EXPECT_TRUE(store().History("unknown", 0, 0)->empty());
}

TEST_P(StoreSuite, ListIsNewestFirstWithFilters) {
  std::vector<Checkpoint> cps = {CreateCp("a1", {}, "tenant-a", kT0 + 1),
                                 CreateCp("b1", {}, "tenant-b", kT0 + 2),
                                 CreateCp("a2", {}, "tenant-a", kT0 + 3)};
  cps[2].instance.status = "failed";
  cps[1].instance.type = "onboarding";
  for (const auto& s : store().CommitBatch(cps)) ASSERT_TRUE(s.ok()) << s.ToString();
  ListQuery q;
  EXPECT_EQ(Ids(store().List(q)->instances), (std::vector<std::string>{"a2", "b1", "a1"}));
  q.tenant = "tenant-a";
  EXPECT_EQ(Ids(store().List(q)->instances), (std::vector<std::string>{"a2", "a1"}));
  q.status = "failed";
  EXPECT_EQ(Ids(store().List(q)->instances), (std::vector<std::string>{"a2"}));
  q = ListQuery{};
  q.type = "onboarding";
  EXPECT_EQ(Ids(store().List(q)->instances), (std::vector<std::string>{"b1"}));
  q.tenant = "tenant-a";
  EXPECT_TRUE(store().List(q)->instances.empty());
  EXPECT_EQ(store().List(q)->next_cursor, "");
}

TEST_P(StoreSuite, ListFiltersByCreationWindowWithOtherFiltersAndCursor) {
  // Two tenants, one instance each per millisecond from kT0 to kT0 + 9.
  std::vector<Checkpoint> cps;
  for (int i = 0; i < 10; ++i) {
    cps.push_back(CreateCp("a" + std::to_string(i), {}, "tenant-a", kT0 + i));
    cps.push_back(CreateCp("b" + std::to_string(i), {}, "tenant-b", kT0 + i));
  }
  cps[6].instance.status = "failed";  // a3
  for (const auto& s : store().CommitBatch(cps)) ASSERT_TRUE(s.ok()) << s.ToString();
  ListQuery q;
  q.tenant = "tenant-a";
  q.created_after_ms = kT0 + 3;  // inclusive
  EXPECT_EQ(Ids(store().List(q)->instances),
            (std::vector<std::string>{"a9", "a8", "a7", "a6", "a5", "a4", "a3"}));
  q.created_before_ms = kT0 + 6;  // exclusive
  EXPECT_EQ(Ids(store().List(q)->instances), (std::vector<std::string>{"a5", "a4", "a3"}));
  q.created_after_ms.reset();
  EXPECT_EQ(Ids(store().List(q)->instances),
            (std::vector<std::string>{"a5", "a4", "a3", "a2", "a1", "a0"}));
  q.status = "failed";
  EXPECT_EQ(Ids(store().List(q)->instances), (std::vector<std::string>{"a3"}));
  q.created_before_ms = kT0 + 3;  // the upper bound is exclusive
  EXPECT_TRUE(store().List(q)->instances.empty());
  q.status.clear();
  q.created_before_ms = kT0 + 3;
  q.created_after_ms = kT0 + 3;  // an empty window
  EXPECT_TRUE(store().List(q)->instances.empty());

  // Without a tenant, across pages: the cursor keeps the window.
  q = ListQuery{};
  q.created_after_ms = kT0 + 2;
  q.created_before_ms = kT0 + 8;
  q.limit = 5;
  std::vector<std::string> seen;
  int pages = 0;
  do {
    Result<ListPage> page = store().List(q);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    for (const auto& i : page->instances) seen.push_back(i.id);
    q.cursor = page->next_cursor;
    ASSERT_LT(++pages, 10);
  } while (!q.cursor.empty());
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, (std::vector<std::string>{"b7", "a7", "b6", "a6", "b5", "a5", "b4", "a4", "b3",
                                            "a3", "b2", "a2"}));
}

TEST_P(StoreSuite, ListCursorVisitsEveryInstanceOnce) {
  std::vector<Checkpoint> cps;
  // Ties on created_at (three per millisecond) must neither repeat nor skip across pages.
  for (int i = 0; i < 23; ++i) {
    cps.push_back(CreateCp("wf-" + std::to_string(100 + i), {}, "tenant-a", kT0 + i / 3));
  }
  for (const auto& s : store().CommitBatch(cps)) ASSERT_TRUE(s.ok());
  std::vector<std::string> seen;
  ListQuery q;
  q.limit = 4;
  int pages = 0;
  do {
    Result<ListPage> page = store().List(q);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    ASSERT_LE(page->instances.size(), 4u);
    for (const auto& i : page->instances) seen.push_back(i.id);
    q.cursor = page->next_cursor;
    ASSERT_LT(++pages, 10);
  } while (!q.cursor.empty());
  EXPECT_EQ(pages, 6);
  ASSERT_EQ(seen.size(), 23u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 23u);
  for (size_t i = 1; i < seen.size(); ++i) {
    const Instance a = *store().Load(seen[i - 1]);
    const Instance b = *store().Load(seen[i]);
    EXPECT_TRUE(a.created_at_ms > b.created_at_ms ||
                (a.created_at_ms == b.created_at_ms && a.id > b.id));
  }
}

TEST_P(StoreSuite, ListClampsLimitAndRejectsMalformedCursor) {
  std::vector<Checkpoint> cps;
  for (int i = 0; i < 502; ++i) cps.push_back(CreateCp("wf-" + std::to_string(i)));
  for (const auto& s : store().CommitBatch(cps)) ASSERT_TRUE(s.ok());
  ListQuery q;
  q.limit = 0;
  EXPECT_EQ(store().List(q)->instances.size(), 1u);
  q.limit = 10'000;
  Result<ListPage> big = store().List(q);
  EXPECT_EQ(big->instances.size(), 500u);
  EXPECT_FALSE(big->next_cursor.empty());
  for (const char* bad : {"garbage", ":", "12:", ":id", "x1:id", "99999999999999999999:id"}) {
    q.cursor = bad;
    Result<ListPage> page = store().List(q);
    EXPECT_EQ(page.status().code(), Code::kInvalidArgument) << bad;
    EXPECT_EQ(page.status().field(), "cursor") << bad;
  }
}

TEST_P(StoreSuite, RecordsAreCompareAndSet) {
  EXPECT_EQ(store().GetRecord("tenants", "t1").status().code(), Code::kNotFound);
  Record r{"tenants", "t1", R"({"plan":"free"})", 0};
  ASSERT_TRUE(store().PutRecord(r, 0).ok());
  EXPECT_EQ(store().PutRecord(r, 0).code(), Code::kConflict);
  Result<Record> got = store().GetRecord("tenants", "t1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->value_json, R"({"plan":"free"})");
  EXPECT_EQ(got->version, 1);
  r.value_json = R"({"plan":"pro"})";
  EXPECT_EQ(store().PutRecord(r, 2).code(), Code::kConflict);
  ASSERT_TRUE(store().PutRecord(r, 1).ok());
  EXPECT_EQ(store().GetRecord("tenants", "t1")->version, 2);
  EXPECT_EQ(store().GetRecord("tenants", "t1")->value_json, R"({"plan":"pro"})");
  EXPECT_EQ(store().GetRecord("other", "t1").status().code(), Code::kNotFound);
}

TEST_P(StoreSuite, ListRecordsPagesThroughOneNamespaceInBytewiseKeyOrder) {
  // "Z" < "a" < "b" < "\xc3\xa9" bytewise; other namespaces (before and after) stay out.
  for (const std::string& key : {"b", "a", "Z", "\xc3\xa9", "a-1"}) {
    ASSERT_TRUE(store().PutRecord({"tok", key, "{\"k\":\"" + key + "\"}", 0}, 0).ok());
  }
  ASSERT_TRUE(store().PutRecord({"tenants", "a", "{}", 0}, 0).ok());
  ASSERT_TRUE(store().PutRecord({"toks", "a", "{}", 0}, 0).ok());
  ASSERT_TRUE(store().PutRecord({"tok", "a", "{\"k\":2}", 0}, 1).ok());
  std::vector<std::string> keys;
  std::string after;
  for (int pages = 0; pages < 10; ++pages) {
    Result<std::vector<Record>> page = store().ListRecords("tok", after, 2);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    if (page->empty()) break;
    EXPECT_LE(page->size(), 2u);
    for (const Record& r : *page) {
      EXPECT_EQ(r.ns, "tok");
      keys.push_back(r.key);
      if (r.key == "a") {
        EXPECT_EQ(r.version, 2);
        EXPECT_EQ(r.value_json, "{\"k\":2}");
      }
    }
    after = page->back().key;
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"Z", "a", "a-1", "b", "\xc3\xa9"}));
  EXPECT_TRUE(store().ListRecords("none", "", 10)->empty());
  for (int bad : {0, -1, Store::kMaxRecordPage + 1}) {
    EXPECT_EQ(store().ListRecords("tok", "", bad).status().field(), "limit") << bad;
  }
}

TEST_P(StoreSuite, LoadHeadHasTheSmallFieldsOfLoad) {
  Checkpoint cp = CreateCp("wf-1");
  cp.instance.serial_key = "deployment:t1";
  ASSERT_TRUE(store().Commit(cp).ok());
  ASSERT_TRUE(store().Commit(UpdateCp("wf-1", 1, 2)).ok());
  Result<Instance> full = store().Load("wf-1");
  Result<Instance> head = store().LoadHead("wf-1");
  ASSERT_TRUE(full.ok() && head.ok());
  EXPECT_EQ(head->id, "wf-1");
  EXPECT_EQ(head->type, full->type);
  EXPECT_EQ(head->tenant, full->tenant);
  EXPECT_EQ(head->status, full->status);
  EXPECT_EQ(head->serial_key, "deployment:t1");
  EXPECT_EQ(head->version, 2);
  EXPECT_EQ(store().LoadHead("nope").status().code(), Code::kNotFound);
}

TEST_P(StoreSuite, StatsCountRowsAndCommits) {
  Result<StoreStats> before = store().Stats();
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->instances, 0);
  ASSERT_TRUE(store()
                  .Commit(CreateCp("wf-1", {MakeTask("wf-1", "timer", kT0),
                                            MakeTask("wf-1", "timer", kT0 + 9)}))
                  .ok());
  ASSERT_TRUE(store().Commit(UpdateCp("wf-1", 1, 2)).ok());
  ASSERT_EQ(store().ClaimTasks(Claim("owner-a", kT0))->size(), 1u);
  Result<StoreStats> after = store().Stats();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->instances, 1);
  EXPECT_EQ(after->events, 2);
  EXPECT_EQ(after->tasks, 2);
  EXPECT_EQ(after->leased_tasks, 1);
  EXPECT_EQ(after->commits - before->commits, 3);
}

TEST_P(StoreSuite, CountByTypeAndStatusGroupsInstances) {
  Result<std::vector<TypeStatusCount>> empty = store().CountByTypeAndStatus();
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  auto create = [&](const std::string& id, const std::string& type, const std::string& status) {
    Checkpoint cp = CreateCp(id);
    cp.instance.type = type;
    cp.instance.status = status;
    cp.instance.serial_key.clear();
    ASSERT_TRUE(store().Commit(cp).ok());
  };
  create("wf-1", "deployment", "running");
  create("wf-2", "deployment", "running");
  create("wf-3", "deployment", "failed");
  create("wf-4", "onboarding", "running");
  Result<std::vector<TypeStatusCount>> counts = store().CountByTypeAndStatus();
  ASSERT_TRUE(counts.ok());
  std::vector<std::tuple<std::string, std::string, int64_t>> got;
  for (const auto& c : *counts) got.emplace_back(c.type, c.status, c.count);
  std::vector<std::tuple<std::string, std::string, int64_t>> want = {
      {"deployment", "failed", 1}, {"deployment", "running", 2}, {"onboarding", "running", 1}};
  EXPECT_EQ(got, want);
}

TEST_P(StoreSuite, ConcurrentCommitsFromManyThreadsAllLand) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string id = "wf-" + std::to_string(t) + "-" + std::to_string(i);
        EXPECT_TRUE(store().Commit(CreateCp(id)).ok());
        EXPECT_TRUE(store().Commit(UpdateCp(id, 1, 2)).ok());
        EXPECT_TRUE(store().Load(id).ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(store().Stats()->instances, kThreads * kPerThread);
  EXPECT_EQ(store().Stats()->events, 2 * kThreads * kPerThread);
}

}  // namespace
}  // namespace slipway::storage::testing
