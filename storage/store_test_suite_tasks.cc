// storage/store_test_suite_tasks.cc: the Store suite, part 2: claims, leases, per-kind
// capacity, finished tasks, wake-ups, and claims racing from two handles.
#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "storage/store_test_suite.h"

namespace slipway::storage::testing {
namespace {

std::vector<int64_t> TaskIds(const std::vector<Task>& tasks) {
  std::vector<int64_t> out;
  for (const auto& t : tasks) out.push_back(t.id);
  return out;
}

TEST_P(StoreSuite, ClaimTakesDueTasksEarliestFirstAndLeasesThem) {
  ASSERT_TRUE(store()
                  .Commit(CreateCp("wf-1", {MakeTask("wf-1", "timer", kT0 + 100),
                                            MakeTask("wf-1", "activity:a", kT0 + 50),
                                            MakeTask("wf-1", "timer", kT0 + 500)}))
                  .ok());
  Result<std::vector<Task>> got = store().ClaimTasks(Claim("owner-a", kT0 + 150));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].due_at_ms, kT0 + 50);
  EXPECT_EQ((*got)[1].due_at_ms, kT0 + 100);
  for (const Task& t : *got) {
    EXPECT_EQ(t.lease_owner, "owner-a");
    EXPECT_EQ(t.lease_until_ms, kT0 + 150 + 30'000);
    EXPECT_EQ(t.workflow_id, "wf-1");
  }
  const std::vector<Task> all = *store().TasksOf("wf-1");
  for (const Task& t : all) {
    if (t.due_at_ms == kT0 + 500) {
      EXPECT_EQ(t.lease_owner, "");
    } else {
      EXPECT_EQ(t.lease_owner, "owner-a");
    }
  }
  EXPECT_TRUE(store().ClaimTasks(Claim("owner-b", kT0 + 150))->empty());
}

TEST_P(StoreSuite, AContinuedTaskIsRewrittenAndKeepsItsLease) {
  ASSERT_TRUE(store().Commit(CreateCp("wf-1", {MakeTask("wf-1", "activity:a", kT0)})).ok());
  auto claimed = store().ClaimTasks(Claim("owner-a", kT0));
  ASSERT_EQ(claimed->size(), 1u);
  Checkpoint cp = UpdateCp("wf-1", 1, 2);
  cp.lease_owner = "owner-a";
  Task next = (*claimed)[0];
  next.kind = "activity:b";
  next.step = "s2";
  next.attempt = 1;
  next.payload_json = R"({"visit":1})";
  next.lease_until_ms = kT0 + 60'000;
  cp.continued_tasks.push_back(next);
  ASSERT_TRUE(store().Commit(cp).ok());
  auto tasks = store().TasksOf("wf-1");
  ASSERT_EQ(tasks->size(), 1u);
  const Task& t = (*tasks)[0];
  EXPECT_EQ(t.id, next.id);
  EXPECT_EQ(t.kind, "activity:b");
  EXPECT_EQ(t.step, "s2");
  EXPECT_EQ(t.payload_json, R"({"visit":1})");
  EXPECT_EQ(t.lease_owner, "owner-a");
  EXPECT_EQ(t.lease_until_ms, kT0 + 60'000);
  EXPECT_TRUE(store().ClaimTasks(Claim("owner-b", kT0 + 30'001))->empty());  // still leased
}

TEST_P(StoreSuite, ContinuingATaskLeasedByAnotherOwnerIsAConflict) {
  ASSERT_TRUE(store().Commit(CreateCp("wf-1", {MakeTask("wf-1", "activity:a", kT0)})).ok());
  auto claimed = store().ClaimTasks(Claim("owner-a", kT0));
  ASSERT_EQ(claimed->size(), 1u);
  Checkpoint cp = UpdateCp("wf-1", 1, 2);
  cp.lease_owner = "owner-b";
  cp.continued_tasks.push_back((*claimed)[0]);
  EXPECT_EQ(store().Commit(cp).code(), Code::kConflict);
  EXPECT_EQ(store().Load("wf-1")->version, 1);  // nothing written
}

TEST_P(StoreSuite, ClaimHonoursLimitAndIdOrderOnEqualDueTimes) {
  std::vector<Task> tasks;
  for (int i = 0; i < 5; ++i) tasks.push_back(MakeTask("wf-1", "timer", kT0));
  ASSERT_TRUE(store().Commit(CreateCp("wf-1", tasks)).ok());
  auto first = store().ClaimTasks(Claim("owner-a", kT0, 2));
  auto rest = store().ClaimTasks(Claim("owner-a", kT0, 10));
  ASSERT_EQ(first->size(), 2u);
  ASSERT_EQ(rest->size(), 3u);
  EXPECT_LT((*first)[0].id, (*first)[1].id);
  EXPECT_LT((*first)[1].id, (*rest)[0].id);
  EXPECT_TRUE(store().ClaimTasks(Claim("owner-a", kT0, 0))->empty());
}

TEST_P(StoreSuite, ClaimRejectsMissingOwnerAndPastLease) {
  ClaimRequest r = Claim("", kT0);
  EXPECT_EQ(store().ClaimTasks(r).status().code(), Code::kInvalidArgument);
  r = Claim("owner-a", kT0);
  r.lease_until_ms = kT0;
  EXPECT_EQ(store().ClaimTasks(r).status().code(), Code::kInvalidArgument);
}

TEST_P(StoreSuite, ExpiredLeaseIsReclaimedAndTheOldOwnerLosesTheTask) {
  ASSERT_TRUE(store().Commit(CreateCp("wf-1", {MakeTask("wf-1", "activity:a", kT0)})).ok());
  auto a = store().ClaimTasks(Claim("owner-a", kT0));
  ASSERT_EQ(a->size(), 1u);
  const TimeMs expiry = (*a)[0].lease_until_ms;
  EXPECT_TRUE(store().ClaimTasks(Claim("owner-b", expiry - 1))->empty());
  auto b = store().ClaimTasks(Claim("owner-b", expiry));
  ASSERT_EQ(b->size(), 1u);
  EXPECT_EQ((*b)[0].id, (*a)[0].id);
  EXPECT_EQ((*b)[0].lease_owner, "owner-b");

  // owner-a finishes late: its whole checkpoint is refused.
  Checkpoint late = UpdateCp("wf-1", 1, 2);
  late.done_task_ids = {(*a)[0].id};
  late.lease_owner = "owner-a";
  late.new_tasks = {MakeTask("wf-1", "activity:next", kT0)};
  EXPECT_EQ(store().Commit(late).code(), Code::kConflict);
  EXPECT_EQ(store().Load("wf-1")->version, 1);
  EXPECT_EQ(store().History("wf-1", 0, 0)->size(), 1u);
  EXPECT_EQ(TaskIds(*store().TasksOf("wf-1")), std::vector<int64_t>{(*a)[0].id});

  late.lease_owner = "owner-b";
  ASSERT_TRUE(store().Commit(late).ok());
  auto left = store().TasksOf("wf-1");
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ((*left)[0].kind, "activity:next");
}

// Fencing: a worker whose lease was taken over cannot commit that task's checkpoint, even
// after its owner claimed the task back (owner-a, then owner-b, then owner-a again): the
// claim's fencing token tells the two runs of owner-a apart. A claim by the owner that already
// holds the lease keeps the token (its scheduler treats that as a renewal).
TEST_P(StoreSuite, ACheckpointFencedByATakenOverLeaseIsRefused) {
  ASSERT_TRUE(store().Commit(CreateCp("wf-1", {MakeTask("wf-1", "activity:a", kT0)})).ok());
  auto first = store().ClaimTasks(Claim("owner-a", kT0));
  ASSERT_EQ(first->size(), 1u);
  const Task old = (*first)[0];
  EXPECT_GT(old.lease_token, 0);
  auto renewed = store().ClaimTasks(Claim("owner-a", old.lease_until_ms));
  ASSERT_EQ(renewed->size(), 1u);
  EXPECT_EQ((*renewed)[0].lease_token, old.lease_token);
  auto other = store().ClaimTasks(Claim("owner-b", (*renewed)[0].lease_until_ms));
  ASSERT_EQ(other->size(), 1u);
  auto back = store().ClaimTasks(Claim("owner-a", (*other)[0].lease_until_ms));
  ASSERT_EQ(back->size(), 1u);
  const Task now = (*back)[0];
  EXPECT_EQ(now.id, old.id);
  EXPECT_GT(now.lease_token, (*other)[0].lease_token);
  EXPECT_GT((*other)[0].lease_token, old.lease_token);
  EXPECT_EQ((*store().TasksOf("wf-1"))[0].lease_token, now.lease_token);

  Checkpoint late = UpdateCp("wf-1", 1, 2);
  late.done_task_ids = {old.id};
  late.lease_owner = "owner-a";
  late.lease_token = old.lease_token;
  EXPECT_EQ(store().Commit(late).code(), Code::kConflict);
  Checkpoint late_continue = UpdateCp("wf-1", 1, 2);
  late_continue.lease_owner = "owner-a";
  late_continue.lease_token = old.lease_token;
  late_continue.continued_tasks = {old};
  EXPECT_EQ(store().Commit(late_continue).code(), Code::kConflict);
  EXPECT_EQ(store().Load("wf-1")->version, 1);
  EXPECT_EQ(store().History("wf-1", 0, 0)->size(), 1u);

  late.lease_token = now.lease_token;  // the current holder commits
  ASSERT_TRUE(store().Commit(late).ok());
  EXPECT_TRUE(store().TasksOf("wf-1")->empty());
}

// A checkpoint made under a task's lease that neither finishes nor continues the task (an
// attempt's start) is refused too once that lease was taken over, and keeps the task.
TEST_P(StoreSuite, ACheckpointHoldingATakenOverLeaseIsRefusedAndTheTaskStays) {
  ASSERT_TRUE(store().Commit(CreateCp("wf-1", {MakeTask("wf-1", "activity:a", kT0)})).ok());
  auto first = store().ClaimTasks(Claim("owner-a", kT0));
  ASSERT_EQ(first->size(), 1u);
  const Task old = (*first)[0];
  Checkpoint start = UpdateCp("wf-1", 1, 2);
  start.held_task_id = old.id;
  start.lease_owner = "owner-a";
  start.lease_token = old.lease_token;
  auto other = store().ClaimTasks(Claim("owner-b", old.lease_until_ms));
  ASSERT_EQ(other->size(), 1u);
  EXPECT_EQ(store().Commit(start).code(), Code::kConflict);
  EXPECT_EQ(store().Load("wf-1")->version, 1);
  EXPECT_EQ(store().History("wf-1", 0, 0)->size(), 1u);
  ASSERT_EQ(store().TasksOf("wf-1")->size(), 1u);
  EXPECT_EQ((*store().TasksOf("wf-1"))[0].lease_owner, "owner-b");

  start.lease_owner = "owner-b";  // the current holder starts its attempt
  start.lease_token = (*other)[0].lease_token;
  ASSERT_TRUE(store().Commit(start).ok());
  EXPECT_EQ(store().TasksOf("wf-1")->size(), 1u);
}

TEST_P(StoreSuite, DoneTaskWithoutOwnerDeletesAnyTaskButAGoneTaskConflicts) {
  ASSERT_TRUE(store().Commit(CreateCp("wf-1", {MakeTask("wf-1", "admit", kT0)})).ok());
  auto claimed = store().ClaimTasks(Claim("owner-a", kT0));
  ASSERT_EQ(claimed->size(), 1u);
  Checkpoint ops = UpdateCp("wf-1", 1, 2);
  ops.done_task_ids = {(*claimed)[0].id};  // lease_owner "": any owner
  ASSERT_TRUE(store().Commit(ops).ok());
  EXPECT_TRUE(store().TasksOf("wf-1")->empty());
  Checkpoint again = UpdateCp("wf-1", 2, 3);
  again.done_task_ids = {(*claimed)[0].id};
  EXPECT_EQ(store().Commit(again).code(), Code::kConflict);
  EXPECT_EQ(store().Load("wf-1")->version, 2);
}

TEST_P(StoreSuite, KindCapacityCountsOnlyLiveLeases) {
  ASSERT_TRUE(store()
                  .Commit(CreateCp("wf-1", {MakeTask("wf-1", "activity:build", kT0),
                                            MakeTask("wf-1", "activity:build", kT0 + 1),
                                            MakeTask("wf-1", "activity:build", kT0 + 2),
                                            MakeTask("wf-1", "activity:notify", kT0 + 3)}))
                  .ok());
  ClaimRequest r = Claim("owner-a", kT0 + 10);
  r.kind_capacity = {{"activity:build", 1}};
  auto first = store().ClaimTasks(r);
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].kind, "activity:build");
  EXPECT_EQ((*first)[1].kind, "activity:notify");
  r.owner = "owner-b";
  EXPECT_TRUE(store().ClaimTasks(r)->empty());  // the build slot is taken, by anyone
  r.kind_capacity = {{"activity:build", 2}};
  EXPECT_EQ(store().ClaimTasks(r)->size(), 1u);
  // Once those leases expire, their slots are free again.
  r.now_ms = (*first)[0].lease_until_ms + 31'000;
  r.lease_until_ms = r.now_ms + 30'000;
  auto after = store().ClaimTasks(r);
  ASSERT_EQ(after->size(), 3u);
  int builds = 0;
  for (const Task& t : *after) builds += t.kind == "activity:build";
  EXPECT_EQ(builds, 2);
}

TEST_P(StoreSuite, RenewLeasesExtendsOwnLeasesAndReportsLostOnes) {
  ASSERT_TRUE(store()
                  .Commit(CreateCp("wf-1", {MakeTask("wf-1", "timer", kT0),
                                            MakeTask("wf-1", "timer", kT0)}))
                  .ok());
  auto mine = store().ClaimTasks(Claim("owner-a", kT0, 1));
  auto theirs = store().ClaimTasks(Claim("owner-b", kT0, 1));
  ASSERT_EQ(mine->size(), 1u);
  ASSERT_EQ(theirs->size(), 1u);
  const int64_t gone = 999'999;
  auto lost = store().RenewLeases("owner-a", {(*mine)[0].id, (*theirs)[0].id, gone}, kT0 + 90'000);
  ASSERT_TRUE(lost.ok());
  EXPECT_EQ(*lost, (std::vector<int64_t>{(*theirs)[0].id, gone}));
  const std::vector<Task> all = *store().TasksOf("wf-1");
  for (const Task& t : all) {
    EXPECT_EQ(t.lease_until_ms, t.lease_owner == "owner-a" ? kT0 + 90'000 : kT0 + 30'000);
  }
  EXPECT_TRUE(store().RenewLeases("owner-a", {}, kT0)->empty());
}

TEST_P(StoreSuite, ReleaseLeasesMakesOwnTasksClaimableAtOnce) {
  ASSERT_TRUE(store().Commit(CreateCp("wf-1", {MakeTask("wf-1", "timer", kT0)})).ok());
  auto a = store().ClaimTasks(Claim("owner-a", kT0));
  ASSERT_EQ(a->size(), 1u);
  ASSERT_TRUE(store().ReleaseLeases("owner-b", {(*a)[0].id}).ok());  // not theirs: no effect
  EXPECT_TRUE(store().ClaimTasks(Claim("owner-b", kT0 + 1))->empty());
  ASSERT_TRUE(store().ReleaseLeases("owner-a", {(*a)[0].id}).ok());
  auto task = store().TasksOf("wf-1");
  EXPECT_EQ((*task)[0].lease_owner, "");
  EXPECT_EQ((*task)[0].lease_until_ms, 0);
  EXPECT_EQ(store().ClaimTasks(Claim("owner-b", kT0 + 1))->size(), 1u);
}

// A look that saw nothing new moves its task to the next look, and only while it holds the
// lease: a node whose lease was taken over (another token) moves nothing.
TEST_P(StoreSuite, RescheduleTaskMovesAHeldTaskToItsNextLookAndReleasesIt) {
  ASSERT_TRUE(store().Commit(CreateCp("wf-1", {MakeTask("wf-1", "activity:a", kT0)})).ok());
  auto a = store().ClaimTasks(Claim("owner-a", kT0));
  ASSERT_EQ(a->size(), 1u);
  Task held = (*a)[0];
  Task stale = held;
  stale.lease_token = held.lease_token + 1;
  EXPECT_EQ(store().RescheduleTask(stale, kT0 + 9'000, R"({"look":9})").code(), Code::kConflict);
  Task other = held;
  other.lease_owner = "owner-b";
  EXPECT_EQ(store().RescheduleTask(other, kT0 + 9'000, R"({"look":9})").code(), Code::kConflict);
  EXPECT_EQ((*store().TasksOf("wf-1"))[0].due_at_ms, kT0);  // refused: nothing moved

  ASSERT_TRUE(store().RescheduleTask(held, kT0 + 5'000, R"({"look":2})").ok());
  const Task moved = (*store().TasksOf("wf-1"))[0];
  EXPECT_EQ(moved.id, held.id);
  EXPECT_EQ(moved.due_at_ms, kT0 + 5'000);
  EXPECT_EQ(moved.payload_json, R"({"look":2})");
  EXPECT_EQ(moved.lease_owner, "");
  EXPECT_EQ(store().NextWakeUp()->value(), kT0 + 5'000);
  EXPECT_TRUE(store().ClaimTasks(Claim("owner-b", kT0 + 4'999))->empty());
  auto again = store().ClaimTasks(Claim("owner-b", kT0 + 5'000));
  ASSERT_EQ(again->size(), 1u);
  // The first holder's lease is gone: it can no longer move the task.
  EXPECT_EQ(store().RescheduleTask(held, kT0 + 9'000, "{}").code(), Code::kConflict);
}

// Many workers' quiet looks at once (the store may write them together): each moves its own
// task, and one whose lease was taken over is refused without holding back the others.
TEST_P(StoreSuite, ConcurrentReschedulesEachMoveTheirOwnTaskOrAreRefused) {
  constexpr int kTasks = 24;
  for (int i = 0; i < kTasks; ++i) {
    const std::string wf = "wf-" + std::to_string(i);
    ASSERT_TRUE(store().Commit(CreateCp(wf, {MakeTask(wf, "activity:a", kT0)})).ok());
  }
  auto held = store().ClaimTasks(Claim("owner-a", kT0, kTasks));
  ASSERT_EQ(held->size(), static_cast<size_t>(kTasks));
  std::vector<Status> results(kTasks);
  std::vector<std::thread> threads;
  for (int i = 0; i < kTasks; ++i) {
    threads.emplace_back([&, i] {
      Task t = (*held)[i];
      if (i == 7) t.lease_token += 1;  // a node whose lease was taken over
      results[i] = store().RescheduleTask(t, kT0 + 1'000 + i, R"({"look":2})");
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kTasks; ++i) {
    const Task& t = (*held)[i];
    const Task now = (*store().TasksOf(t.workflow_id))[0];
    if (i == 7) {
      EXPECT_EQ(results[i].code(), Code::kConflict);
      EXPECT_EQ(now.due_at_ms, kT0);
      EXPECT_EQ(now.lease_owner, "owner-a");
    } else {
      EXPECT_TRUE(results[i].ok()) << i << " " << results[i].ToString();
      EXPECT_EQ(now.due_at_ms, kT0 + 1'000 + i);
      EXPECT_EQ(now.lease_owner, "");
    }
  }
}

TEST_P(StoreSuite, NextWakeUpIsEarliestDueOrLeaseExpiry) {
  EXPECT_FALSE(store().NextWakeUp()->has_value());
  ASSERT_TRUE(store()
                  .Commit(CreateCp("wf-1", {MakeTask("wf-1", "timer", kT0 + 5'000),
                                            MakeTask("wf-1", "activity:a", kT0)}))
                  .ok());
  EXPECT_EQ(store().NextWakeUp()->value(), kT0);
  ClaimRequest r = Claim("owner-a", kT0, 1);
  r.lease_until_ms = kT0 + 60'000;
  ASSERT_EQ(store().ClaimTasks(r)->size(), 1u);
  EXPECT_EQ(store().NextWakeUp()->value(), kT0 + 5'000);  // the timer, before the lease ends
  r.now_ms = kT0 + 5'000;
  ASSERT_EQ(store().ClaimTasks(r)->size(), 1u);
  EXPECT_EQ(store().NextWakeUp()->value(), kT0 + 60'000);  // both leased: first expiry
}

TEST_P(StoreSuite, CountClaimableTasksIsWhatAClaimCouldTakeNow) {
  EXPECT_EQ(*store().CountClaimableTasks(kT0), 0);
  ASSERT_TRUE(store()
                  .Commit(CreateCp("wf-1", {MakeTask("wf-1", "timer", kT0 + 5'000),
                                            MakeTask("wf-1", "activity:a", kT0),
                                            MakeTask("wf-1", "activity:b", kT0)}))
                  .ok());
  EXPECT_EQ(*store().CountClaimableTasks(kT0), 2);           // the timer is not due yet
  EXPECT_EQ(*store().CountClaimableTasks(kT0 + 5'000), 3);
  ClaimRequest r = Claim("owner-a", kT0, 1);
  r.lease_until_ms = kT0 + 60'000;
  ASSERT_EQ(store().ClaimTasks(r)->size(), 1u);
  EXPECT_EQ(*store().CountClaimableTasks(kT0), 1);           // one is leased now
  EXPECT_EQ(*store().CountClaimableTasks(kT0 + 60'000), 3);  // its lease has expired by then
}

TEST_P(StoreSuite, TasksOfListsOnlyThatWorkflowsTasks) {
  Task foreign = MakeTask("wf-2", "admit", kT0);  // a checkpoint may schedule for another id
  ASSERT_TRUE(store().Commit(CreateCp("wf-1", {MakeTask("wf-1", "timer", kT0), foreign})).ok());
  EXPECT_EQ(store().TasksOf("wf-1")->size(), 1u);
  ASSERT_EQ(store().TasksOf("wf-2")->size(), 1u);
  EXPECT_EQ((*store().TasksOf("wf-2"))[0].kind, "admit");
  EXPECT_TRUE(store().TasksOf("none")->empty());
}

TEST_P(StoreSuite, DeleteTaskNeedsTheLeaseUnlessOwnerIsEmpty) {
  ASSERT_TRUE(store()
                  .Commit(CreateCp("wf-1", {MakeTask("wf-1", "timer", kT0),
                                            MakeTask("wf-1", "timer", kT0 + 1)}))
                  .ok());
  auto claimed = store().ClaimTasks(Claim("owner-a", kT0 + 1));
  ASSERT_EQ(claimed->size(), 2u);
  const int64_t t1 = (*claimed)[0].id;
  const int64_t t2 = (*claimed)[1].id;
  EXPECT_EQ(store().DeleteTask(t1, "owner-b").code(), Code::kConflict);
  ASSERT_TRUE(store().DeleteTask(t1, "owner-a").ok());
  EXPECT_TRUE(store().DeleteTask(t1, "owner-a").ok());  // already gone: fine
  ASSERT_TRUE(store().DeleteTask(t2, "").ok());
  EXPECT_TRUE(store().TasksOf("wf-1")->empty());
}

// Two handles (two "processes") claim the same pool of tasks at once: every task is leased
// exactly once, whatever the interleaving.
TEST_P(StoreSuite, ConcurrentClaimsFromTwoHandlesNeverShareATask) {
  constexpr int kTasks = 60;
  std::vector<Task> tasks;
  for (int i = 0; i < kTasks; ++i) tasks.push_back(MakeTask("wf-1", "timer", kT0 + i % 7));
  ASSERT_TRUE(store().Commit(CreateCp("wf-1", tasks)).ok());
  std::unique_ptr<Store> other = OpenHandle();
  ASSERT_NE(other, nullptr);
  Store* handles[2] = {&store(), other.get()};
  std::vector<int64_t> got[2];
  std::vector<std::thread> threads;
  for (int h = 0; h < 2; ++h) {
    threads.emplace_back([&, h] {
      const std::string owner = "owner-" + std::to_string(h);
      for (int round = 0; round < 100; ++round) {
        auto claimed = handles[h]->ClaimTasks(Claim(owner, kT0 + 10, 3));
        ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
        if (claimed->empty()) break;
        for (const Task& t : *claimed) got[h].push_back(t.id);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<int64_t> all(got[0].begin(), got[0].end());
  all.insert(got[1].begin(), got[1].end());
  EXPECT_EQ(got[0].size() + got[1].size(), static_cast<size_t>(kTasks));
  EXPECT_EQ(all.size(), static_cast<size_t>(kTasks));
}

// Capacity is global across handles, even when they claim at the same time.
TEST_P(StoreSuite, KindCapacityHoldsAcrossConcurrentHandles) {
  std::vector<Task> tasks;
  for (int i = 0; i < 20; ++i) tasks.push_back(MakeTask("wf-1", "activity:build", kT0));
  ASSERT_TRUE(store().Commit(CreateCp("wf-1", tasks)).ok());
  std::unique_ptr<Store> other = OpenHandle();
  Store* handles[2] = {&store(), other.get()};
  std::atomic<int> claimed{0};
  std::vector<std::thread> threads;
  for (int h = 0; h < 2; ++h) {
    threads.emplace_back([&, h] {
      ClaimRequest r = Claim("owner-" + std::to_string(h), kT0, 5);
      r.kind_capacity = {{"activity:build", 3}};
      for (int round = 0; round < 10; ++round) {
        auto got = handles[h]->ClaimTasks(r);
        ASSERT_TRUE(got.ok()) << got.status().ToString();
        claimed += static_cast<int>(got->size());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(claimed.load(), 3);
  EXPECT_EQ(store().Stats()->leased_tasks, 3);
}

}  // namespace
}  // namespace slipway::storage::testing
