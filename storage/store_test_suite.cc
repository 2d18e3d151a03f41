// storage/store_test_suite.cc: the Store suite, part 1: checkpoints, reads, serial queues,
// records and stats. Part 2 (tasks and leases) is in store_test_suite_tasks.cc.
#include "storage/store_test_suite.h"

#include <algorithm>
#include <set>
#include <thread>

namespace slipway::storage::testing {

void StoreSuite::SetUp() {
  backend_ = GetParam().make_backend();
  ASSERT_NE(backend_, nullptr);
  store_ = backend_->OpenHandle();
  ASSERT_NE(store_, nullptr);
}

void StoreSuite::TearDown() {
  store_.reset();
  backend_.reset();
}

Instance MakeInstance(const std::string& id, int64_t version, const std::string& tenant,
                      TimeMs created) {
  Instance i;
  i.id = id;
  i.type = "deployment";
  i.tenant = tenant;
  i.status = "running";
  i.state = "Validating";
  i.input_json = R"({"site":"x"})";
  i.input_hash = "hash-" + id;
  i.context_json = R"({"steps":{}})";
  i.serial_key = "deploy:" + tenant;
  i.version = version;
  i.last_seq = version;
  i.last_hash = "h" + std::to_string(version);
  i.created_at_ms = created;
  i.updated_at_ms = created + version;
  i.deadline_ms = created + 3'600'000;
  return i;
}

HistoryEvent MakeEvent(const std::string& workflow_id, int64_t seq) {
  HistoryEvent e;
  e.workflow_id = workflow_id;
  e.seq = seq;
  e.at_ms = kT0 + seq;
  e.type = seq == 1 ? "workflow_started" : "step_succeeded";
  e.step = seq == 1 ? "" : "validate";
  e.attempt = seq == 1 ? 0 : 1;
  e.actor = "engine";
  e.data_json = R"({"n":)" + std::to_string(seq) + "}";
  e.prev_hash = "h" + std::to_string(seq - 1);
  e.hash = "h" + std::to_string(seq);
  return e;
}

Task MakeTask(const std::string& workflow_id, const std::string& kind, TimeMs due) {
  Task t;
  t.workflow_id = workflow_id;
  t.kind = kind;
  t.step = "validate";
  t.attempt = 1;
  t.due_at_ms = due;
  t.payload_json = R"({"p":1})";
  return t;
}

Checkpoint CreateCp(const std::string& id, std::vector<Task> tasks, const std::string& tenant,
                    TimeMs created) {
  Checkpoint cp;
  cp.instance = MakeInstance(id, 1, tenant, created);
  cp.expected_version = 0;
  cp.events = {MakeEvent(id, 1)};
  cp.new_tasks = std::move(tasks);
  return cp;
}

Checkpoint UpdateCp(const std::string& id, int64_t from_version, int64_t seq) {
  Checkpoint cp;
  cp.instance = MakeInstance(id, from_version + 1);
  cp.instance.last_seq = seq;
  cp.expected_version = from_version;
  cp.events = {MakeEvent(id, seq)};
  return cp;
}

ClaimRequest Claim(const std::string& owner, TimeMs now, int limit) {
  ClaimRequest r;
  r.owner = owner;
  r.now_ms = now;
  r.lease_until_ms = now + 30'000;
  r.limit = limit;
  return r;
}

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

TEST_P(StoreSuite, CommitCreatesInstanceWithEventsAndTasks) {
  Checkpoint cp = CreateCp("wf-1", {MakeTask("wf-1", "activity:validate", kT0)});
  cp.instance.result_json = R"({"ok":true})";
  cp.instance.error_json = R"({"e":1})";
  ASSERT_TRUE(store().Commit(cp).ok());

  Result<Instance> got = store().Load("wf-1");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  const Instance& want = cp.instance;
  EXPECT_EQ(got->id, want.id);
  EXPECT_EQ(got->type, want.type);
  EXPECT_EQ(got->tenant, want.tenant);
  EXPECT_EQ(got->status, want.status);
  EXPECT_EQ(got->state, want.state);
  EXPECT_EQ(got->input_json, want.input_json);
  EXPECT_EQ(got->input_hash, want.input_hash);
  EXPECT_EQ(got->context_json, want.context_json);
  EXPECT_EQ(got->result_json, want.result_json);
  EXPECT_EQ(got->error_json, want.error_json);
  EXPECT_EQ(got->serial_key, want.serial_key);
  EXPECT_EQ(got->version, 1);
  EXPECT_EQ(got->last_seq, want.last_seq);
  EXPECT_EQ(got->last_hash, want.last_hash);
  EXPECT_EQ(got->created_at_ms, want.created_at_ms);
  EXPECT_EQ(got->updated_at_ms, want.updated_at_ms);
  EXPECT_EQ(got->deadline_ms, want.deadline_ms);

  auto history = store().History("wf-1", 0, 0);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  const HistoryEvent& e = (*history)[0];
  const HistoryEvent& we = cp.events[0];
  EXPECT_EQ(e.workflow_id, "wf-1");
  EXPECT_EQ(e.seq, 1);
  EXPECT_EQ(e.at_ms, we.at_ms);
  EXPECT_EQ(e.type, we.type);
  EXPECT_EQ(e.step, we.step);
  EXPECT_EQ(e.attempt, we.attempt);
  EXPECT_EQ(e.actor, we.actor);
  EXPECT_EQ(e.data_json, we.data_json);
  EXPECT_EQ(e.prev_hash, we.prev_hash);
  EXPECT_EQ(e.hash, we.hash);

  auto tasks = store().TasksOf("wf-1");
  ASSERT_TRUE(tasks.ok());
  ASSERT_EQ(tasks->size(), 1u);
  const Task& t = (*tasks)[0];
  EXPECT_GT(t.id, 0);
  EXPECT_EQ(t.workflow_id, "wf-1");
  EXPECT_EQ(t.kind, "activity:validate");
  EXPECT_EQ(t.step, "validate");
  EXPECT_EQ(t.attempt, 1);
  EXPECT_EQ(t.due_at_ms, kT0);
  EXPECT_EQ(t.payload_json, R"({"p":1})");
  EXPECT_EQ(t.lease_owner, "");
  EXPECT_EQ(t.lease_until_ms, 0);
}

TEST_P(StoreSuite, CreatingAnExistingIdIsAlreadyExists) {
  ASSERT_TRUE(store().Commit(CreateCp("wf-1")).ok());
  Status st = store().Commit(CreateCp("wf-1", {MakeTask("wf-1", "timer", kT0)}));
  EXPECT_EQ(st.code(), Code::kAlreadyExists) << st.ToString();
  EXPECT_EQ(store().TasksOf("wf-1")->size(), 0u);
  EXPECT_EQ(store().History("wf-1", 0, 0)->size(), 1u);
}

TEST_P(StoreSuite, UpdateBumpsVersionAndAppendsHistory) {
  ASSERT_TRUE(store().Commit(CreateCp("wf-1")).ok());
  Checkpoint up = UpdateCp("wf-1", 1, 2);
  up.events.push_back(MakeEvent("wf-1", 3));
  up.instance.state = "Deploying";
  ASSERT_TRUE(store().Commit(up).ok());
  EXPECT_EQ(store().Load("wf-1")->version, 2);
  EXPECT_EQ(store().Load("wf-1")->state, "Deploying");
  EXPECT_EQ(Seqs(*store().History("wf-1", 0, 0)), (std::vector<int64_t>{1, 2, 3}));
}

TEST_P(StoreSuite, StaleVersionIsConflictAndWritesNothing) {
  ASSERT_TRUE(store().Commit(CreateCp("wf-1")).ok());
  ASSERT_TRUE(store().Commit(UpdateCp("wf-1", 1, 2)).ok());
  Checkpoint stale = UpdateCp("wf-1", 1, 3);
  stale.new_tasks = {MakeTask("wf-1", "timer", kT0)};
  EXPECT_EQ(store().Commit(stale).code(), Code::kConflict);
  EXPECT_EQ(store().Load("wf-1")->version, 2);
  EXPECT_EQ(Seqs(*store().History("wf-1", 0, 0)), (std::vector<int64_t>{1, 2}));
  EXPECT_TRUE(store().TasksOf("wf-1")->empty());
}

TEST_P(StoreSuite, UpdatingAMissingInstanceIsConflict) {
  EXPECT_EQ(store().Commit(UpdateCp("ghost", 3, 4)).code(), Code::kConflict);
  EXPECT_EQ(store().Load("ghost").status().code(), Code::kNotFound);
}

TEST_P(StoreSuite, VersionMustBeExpectedPlusOne) {
  Checkpoint cp = CreateCp("wf-1");
  cp.instance.version = 2;
  EXPECT_EQ(store().Commit(cp).code(), Code::kInvalidArgument);
  EXPECT_EQ(store().Load("wf-1").status().code(), Code::kNotFound);
}

TEST_P(StoreSuite, HistoryGapOrDuplicateSeqIsConflict) {
  ASSERT_TRUE(store().Commit(CreateCp("wf-1")).ok());
  EXPECT_EQ(store().Commit(UpdateCp("wf-1", 1, 3)).code(), Code::kConflict);  // gap
  EXPECT_EQ(store().Commit(UpdateCp("wf-1", 1, 1)).code(), Code::kConflict);  // duplicate
  Checkpoint twice = UpdateCp("wf-1", 1, 2);
  twice.events.push_back(MakeEvent("wf-1", 2));
  EXPECT_EQ(store().Commit(twice).code(), Code::kConflict);
  EXPECT_EQ(store().Load("wf-1")->version, 1);
  EXPECT_EQ(Seqs(*store().History("wf-1", 0, 0)), (std::vector<int64_t>{1}));
  Checkpoint first = CreateCp("wf-2");
  first.events[0].seq = 2;  // a history starts at 1
  EXPECT_EQ(store().Commit(first).code(), Code::kConflict);
  EXPECT_EQ(store().Load("wf-2").status().code(), Code::kNotFound);
}

TEST_P(StoreSuite, CancelOtherTasksKeepsOnlyTheNewOnes) {
  ASSERT_TRUE(store()
                  .Commit(CreateCp("wf-1", {MakeTask("wf-1", "timer", kT0 + 100),
                                            MakeTask("wf-1", "activity:build", kT0)}))
                  .ok());
  ASSERT_TRUE(store().Commit(CreateCp("wf-2", {MakeTask("wf-2", "timer", kT0)})).ok());
  Checkpoint cancel = UpdateCp("wf-1", 1, 2);
  cancel.cancel_other_tasks = true;
  cancel.new_tasks = {MakeTask("wf-1", "activity:cleanup", kT0 + 5)};
  ASSERT_TRUE(store().Commit(cancel).ok());
  auto tasks = store().TasksOf("wf-1");
  ASSERT_EQ(tasks->size(), 1u);
  EXPECT_EQ((*tasks)[0].kind, "activity:cleanup");
  EXPECT_EQ(store().TasksOf("wf-2")->size(), 1u);  // other workflows untouched
}

TEST_P(StoreSuite, SerialQueueIsFifoAndEnqueueIsIdempotent) {
  for (const char* id : {"wf-a", "wf-b", "wf-c"}) {
    Checkpoint cp = CreateCp(id);
    cp.serial = Checkpoint::Serial::kEnqueue;
    ASSERT_TRUE(store().Commit(cp).ok());
  }
  Checkpoint again = UpdateCp("wf-a", 1, 2);
  again.serial = Checkpoint::Serial::kEnqueue;
  ASSERT_TRUE(store().Commit(again).ok());
  EXPECT_EQ(*store().SerialQueue("deploy:tenant-a"),
            (std::vector<std::string>{"wf-a", "wf-b", "wf-c"}));
  Checkpoint done = UpdateCp("wf-a", 2, 3);
  done.serial = Checkpoint::Serial::kDequeue;
  ASSERT_TRUE(store().Commit(done).ok());
  EXPECT_EQ(*store().SerialQueue("deploy:tenant-a"), (std::vector<std::string>{"wf-b", "wf-c"}));
  EXPECT_TRUE(store().SerialQueue("deploy:other")->empty());
}

TEST_P(StoreSuite, CommitBatchAppliesEachCheckpointOnItsOwn) {
  ASSERT_TRUE(store().Commit(CreateCp("wf-1")).ok());
  std::vector<Checkpoint> batch = {CreateCp("wf-2", {MakeTask("wf-2", "timer", kT0)}),
                                   UpdateCp("wf-1", 7, 2),  // stale: conflicts alone
                                   CreateCp("wf-3"), CreateCp("wf-1")};
  batch[1].new_tasks = {MakeTask("wf-1", "timer", kT0)};
  std::vector<Status> out = store().CommitBatch(batch);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_TRUE(out[0].ok()) << out[0].ToString();
  EXPECT_EQ(out[1].code(), Code::kConflict);
  EXPECT_TRUE(out[2].ok()) << out[2].ToString();
  EXPECT_EQ(out[3].code(), Code::kAlreadyExists);
  EXPECT_TRUE(store().Load("wf-2").ok());
  EXPECT_TRUE(store().Load("wf-3").ok());
  EXPECT_EQ(store().TasksOf("wf-2")->size(), 1u);
  EXPECT_TRUE(store().TasksOf("wf-1")->empty());
  EXPECT_EQ(store().Load("wf-1")->version, 1);
  EXPECT_TRUE(store().CommitBatch({}).empty());
}

TEST_P(StoreSuite, CommitBatchSeesEarlierCheckpointsOfTheSameBatch) {
  std::vector<Status> out = store().CommitBatch({CreateCp("wf-1"), UpdateCp("wf-1", 1, 2)});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(out[0].ok() && out[1].ok()) << out[0].ToString() << " / " << out[1].ToString();
  EXPECT_EQ(store().Load("wf-1")->version, 2);
  EXPECT_EQ(store().History("wf-1", 0, 0)->size(), 2u);
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
