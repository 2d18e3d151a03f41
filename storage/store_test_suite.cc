// storage/store_test_suite.cc: the Store suite's fixture and record builders. The tests are
// in store_test_suite_commit.cc (checkpoints, batches, serial queues),
// store_test_suite_reads.cc (load, list, history, records, stats) and
// store_test_suite_tasks.cc (claims, leases, capacity, wake-ups).
#include "storage/store_test_suite.h"

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

}  // namespace slipway::storage::testing
