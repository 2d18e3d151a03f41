// storage/store_test_suite_commit.cc: the Store suite: checkpoints (create, update, version
// and history checks, task cancellation), CommitBatch isolation and serial queues.
#include "storage/store_test_suite.h"

namespace slipway::storage::testing {
namespace {

std::vector<int64_t> Seqs(const std::vector<HistoryEvent>& events) {
  std::vector<int64_t> out;
  for (const auto& e : events) out.push_back(e.seq);
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

TEST_P(StoreSuite, UpdateWritesTheMutableFieldsAndKeepsThoseFixedAtCreation) {
  Checkpoint create = CreateCp("wf-1");
  ASSERT_TRUE(store().Commit(create).ok());
  Checkpoint up = UpdateCp("wf-1", 1, 2);
  up.instance.status = "failed";
  up.instance.context_json = R"({"c":2})";
  up.instance.result_json = R"({"r":2})";
  up.instance.error_json = R"({"e":2})";
  up.instance.deadline_ms = kT0 + 99;
  up.instance.updated_at_ms = kT0 + 7;
  up.instance.tenant = "someone-else";  // fixed at creation: not written
  up.instance.input_json = R"({"changed":true})";
  up.instance.created_at_ms = kT0 + 1;
  ASSERT_TRUE(store().Commit(up).ok());
  Result<Instance> got = store().Load("wf-1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->status, "failed");
  EXPECT_EQ(got->context_json, R"({"c":2})");
  EXPECT_EQ(got->result_json, R"({"r":2})");
  EXPECT_EQ(got->error_json, R"({"e":2})");
  EXPECT_EQ(got->deadline_ms, kT0 + 99);
  EXPECT_EQ(got->updated_at_ms, kT0 + 7);
  EXPECT_EQ(got->last_seq, 2);
  EXPECT_EQ(got->tenant, create.instance.tenant);
  EXPECT_EQ(got->input_json, create.instance.input_json);
  EXPECT_EQ(got->created_at_ms, create.instance.created_at_ms);
  ListQuery by_status;
  by_status.status = "failed";
  EXPECT_EQ(store().List(by_status)->instances.size(), 1u);  // the status index follows
}

// An instance runs on the type version it started with (engine/versions.cc): the store keeps
// the version written at creation, whatever later checkpoints carry, and shows it in lists.
TEST_P(StoreSuite, TypeVersionIsWrittenAtCreationAndNeverChanged) {
  ASSERT_TRUE(store().Commit(CreateCp("wf-1")).ok());
  EXPECT_EQ(store().Load("wf-1")->type_version, 1);  // the default: the first table
  Checkpoint v3 = CreateCp("wf-3", {}, "tenant-a", kT0 + 1);
  v3.instance.type_version = 3;
  ASSERT_TRUE(store().Commit(v3).ok());
  EXPECT_EQ(store().Load("wf-3")->type_version, 3);
  Checkpoint up = UpdateCp("wf-3", 1, 2);
  up.instance.type_version = 4;  // fixed at creation: not written
  ASSERT_TRUE(store().Commit(up).ok());
  EXPECT_EQ(store().Load("wf-3")->type_version, 3);
  Result<ListPage> page = store().List(ListQuery{});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->instances.size(), 2u);
  EXPECT_EQ(page->instances[0].id, "wf-3");
  EXPECT_EQ(page->instances[0].type_version, 3);
  EXPECT_EQ(page->instances[1].type_version, 1);
  // A second handle (another process) reads it from the database, not from a cache.
  std::unique_ptr<Store> other = OpenHandle();
  EXPECT_EQ(other->Load("wf-3")->type_version, 3);
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

// A checkpoint that fails after writing some of its rows (here: its instance row is fine,
// its history has a gap) leaves none of them, and the others of the batch still commit,
// including one that depends on an earlier checkpoint of the same batch.
TEST_P(StoreSuite, CommitBatchUndoesACheckpointThatFailsHalfWay) {
  ASSERT_TRUE(store().Commit(CreateCp("wf-1")).ok());
  Checkpoint gap = UpdateCp("wf-1", 1, 3);
  gap.new_tasks = {MakeTask("wf-1", "timer", kT0)};
  std::vector<Status> out = store().CommitBatch(
      {CreateCp("wf-2"), gap, UpdateCp("wf-2", 1, 2), CreateCp("wf-3")});
  ASSERT_EQ(out.size(), 4u);
  EXPECT_TRUE(out[0].ok()) << out[0].ToString();
  EXPECT_EQ(out[1].code(), Code::kConflict);
  EXPECT_TRUE(out[2].ok()) << out[2].ToString();
  EXPECT_TRUE(out[3].ok()) << out[3].ToString();
  EXPECT_EQ(store().Load("wf-1")->version, 1);
  EXPECT_EQ(store().History("wf-1", 0, 0)->size(), 1u);
  EXPECT_TRUE(store().TasksOf("wf-1")->empty());
  EXPECT_EQ(store().Load("wf-2")->version, 2);
  EXPECT_EQ(store().History("wf-2", 0, 0)->size(), 2u);
  EXPECT_TRUE(store().Load("wf-3").ok());
}

TEST_P(StoreSuite, CommitBatchSeesEarlierCheckpointsOfTheSameBatch) {
  std::vector<Status> out = store().CommitBatch({CreateCp("wf-1"), UpdateCp("wf-1", 1, 2)});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(out[0].ok() && out[1].ok()) << out[0].ToString() << " / " << out[1].ToString();
  EXPECT_EQ(store().Load("wf-1")->version, 2);
  EXPECT_EQ(store().History("wf-1", 0, 0)->size(), 2u);
}

}  // namespace
}  // namespace slipway::storage::testing
