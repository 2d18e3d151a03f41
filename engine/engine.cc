#include "engine/engine.h"

#include "engine/group_committer.h"
#include "engine/step_runner.h"

#include <optional>
#include <future>

namespace slipway::engine {

using nlohmann::json;

nlohmann::json Caller::ToJson() const {
  json j = json::object();
  if (!address.empty()) j["address"] = address;
  if (!request_id.empty()) j["request_id"] = request_id;
  if (!reason.empty()) j["reason"] = reason;
  return j;
}

Engine::Engine(storage::Store& store, Clock& clock, Failpoints& failpoints, EngineOptions options)
    : store_(store),
      clock_(clock),
      failpoints_(failpoints),
      options_(std::move(options)),
      rng_(options_.seed != 0 ? options_.seed : std::random_device{}()) {
  if (options_.group_commit) committer_ = std::make_unique<GroupCommitter>(store_);
  // Another node's commit (PgStore's LISTEN/NOTIFY) wakes long polls and the dispatcher as
  // our own commits do; a store that cannot tell leaves them to their polling.
  store_.SetChangeListener([this] { ForeignChange(); });
}

Engine::~Engine() { store_.SetChangeListener({}); }

void Engine::ForeignChange() {
  {
    // The hook is called under mu_ (it only posts to the scheduler's loop): once
    // SetWakeHook(nullptr) returns, this thread of the store's no longer calls into it.
    std::lock_guard<std::mutex> lock(mu_);
    ++generation_;
    if (wake_) wake_();
  }
  changed_.notify_all();
}

Status Engine::RegisterType(WorkflowType type) {
  if (type.name.empty() || !type.make_machine) {
    return InvalidArgument("type", "a workflow type needs a name and a machine");
  }
  for (const auto& s : type.steps) {
    if (type.states.count(s) == 0) return InvalidArgument("steps", "step without a spec: " + s);
  }
  if (type.version < 1) return InvalidArgument("version", "a type version is 1 or more");
  std::string name = type.name;
  const int64_t version = type.version;
  if (!types_[name].emplace(version, std::move(type)).second) {
    return AlreadyExists("workflow type " + name + " version " + std::to_string(version));
  }
  return Status::Ok();
}

void Engine::RegisterActivity(const std::string& name, Activity& activity) {
  activities_[name] = &activity;
}

const WorkflowType* Engine::FindType(const std::string& name) const {
  auto it = types_.find(name);
  return it == types_.end() || it->second.empty() ? nullptr : &it->second.rbegin()->second;
}

const WorkflowType* Engine::FindType(const std::string& name, int64_t version) const {
  auto it = types_.find(name);
  if (it == types_.end()) return nullptr;
  auto v = it->second.find(version);
  return v == it->second.end() ? nullptr : &v->second;
}

Activity* Engine::FindActivity(const std::string& name) const {
  auto it = activities_.find(name);
  return it == activities_.end() ? nullptr : it->second;
}

void Engine::SetWakeHook(std::function<void()> hook) {
  std::lock_guard<std::mutex> lock(mu_);
  wake_ = std::move(hook);
}

Result<Workflow> Engine::Get(const std::string& id) {
  Result<storage::Instance> inst = store_.Load(id);
  if (!inst.ok()) return inst.status();
  return ToWorkflow(*inst);
}

Result<Workflow> Engine::GetCached(const std::string& id) {
  std::optional<storage::Instance> cached;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(id);
    if (it != cache_.end() && it->second.machine) cached = it->second.instance;
  }
  if (!cached) return Get(id);
  return ToWorkflow(*cached);
}

Result<Workflow> Engine::WaitForChange(const std::string& id, int64_t known_version,
                                       std::chrono::milliseconds max_wait,
                                       std::chrono::milliseconds poll) {
  auto deadline = std::chrono::steady_clock::now() + max_wait;
  for (;;) {
    uint64_t seen;
    {
      std::lock_guard<std::mutex> lock(mu_);
      seen = generation_;
    }
    Result<storage::Instance> inst = store_.Load(id);
    if (!inst.ok()) return inst.status();
    auto now = std::chrono::steady_clock::now();
    if (inst->version != known_version || now >= deadline) return ToWorkflow(*inst);
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait_until(lock, std::min(deadline, now + poll),
                        [&] { return generation_ != seen; });
  }
}

Result<storage::ListPage> Engine::List(const storage::ListQuery& q) { return store_.List(q); }

Result<std::vector<storage::HistoryEvent>> Engine::History(const std::string& id,
                                                           int64_t after_seq, int limit) {
  Result<storage::Instance> inst = store_.Load(id);
  if (!inst.ok()) return inst.status();
  return store_.History(id, after_seq, limit);
}

namespace {

// A copy of the cached `row` without its JSON strings (LoadLive's `light`): they are swapped
// out for the copy and back, so nothing is allocated for them. Under the cache's lock.
storage::Instance CopyWithoutJson(storage::Instance& row) {
  std::string* const big[] = {&row.input_json, &row.context_json, &row.result_json,
                              &row.error_json};
  std::string kept[4];
  for (int i = 0; i < 4; ++i) kept[i].swap(*big[i]);
  storage::Instance out = row;
  for (int i = 0; i < 4; ++i) kept[i].swap(*big[i]);
  return out;
}

}  // namespace

Result<Engine::Live> Engine::LoadLive(const std::string& id, bool fresh, bool take_context,
                                      bool light) {
  if (!fresh) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(id);
    if (it != cache_.end()) {
      Live& c = it->second;
      if (light && c.context && c.input && !take_context) {
        return Live{CopyWithoutJson(c.instance), c.machine, c.context, c.input};
      }
      return Live{c.instance, c.machine, take_context ? std::move(c.context) : c.context,
                  c.input};
    }
  }
  Result<storage::Instance> inst = store_.Load(id);
  if (!inst.ok()) return inst.status();
  const WorkflowType* type = FindType(inst->type, inst->type_version);
  if (type == nullptr && FindType(inst->type) != nullptr) {
    // Never replayed on another version's table: the instance is held (StepRunner::Hold).
    return TypeVersionUnregistered(inst->type, inst->type_version);
  }
  if (type == nullptr) return Internal("no registered workflow type " + inst->type);
  Result<std::unique_ptr<WorkflowMachine>> machine = Replay(*type, *inst);
  if (!machine.ok()) return machine.status();
  auto input = std::make_shared<const json>(json::parse(inst->input_json, nullptr, false));
  std::lock_guard<std::mutex> lock(mu_);
  if (cache_.size() >= options_.machine_cache_size) cache_.clear();
  auto& slot = cache_[id];
  std::shared_ptr<const WorkflowMachine> shared = std::move(*machine);
  slot = Live{*inst, shared, nullptr, input};  // the context is parsed on use
  return Live{std::move(*inst), std::move(shared), nullptr, std::move(input)};
}

Result<std::unique_ptr<WorkflowMachine>> Engine::Replay(const WorkflowType& type,
                                                        const storage::Instance& inst) {
  std::unique_ptr<WorkflowMachine> m = type.make_machine();
  m->Start(nlohmann::json::parse(inst.input_json, nullptr, false));
  // Only the events the loaded instance has seen: another node may commit this workflow's
  // next transition between the two reads, and its events belong to a later version (the
  // commit of a machine replayed from this one then conflicts on the version, as it should).
  std::vector<storage::HistoryEvent> events;
  if (inst.last_seq > 0) {
    Result<std::vector<storage::HistoryEvent>> read =
        store_.History(inst.id, 0, static_cast<int>(inst.last_seq));
    if (!read.ok()) return read.status();
    events = std::move(*read);
  }
  for (const auto& e : events) {
    json data = json::parse(e.data_json, nullptr, false);
    if (!data.is_object() || !data.value("handled", false)) continue;
    bool handled = false;
    if (e.type == "step_succeeded") {
      handled = m->Process(StepSucceeded{e.step, data.value("output", json::object())});
    } else if (e.type == "step_failed") {
      handled = m->Process(StepFailed{e.step, data.value("error", json::object())});
    } else if (e.type == "signal_received") {
      handled = m->Process(Signalled{data.value("name", ""), data.value("data", json())});
    } else if (e.type == "timer_fired") {
      handled = m->Process(TimerFired{data.value("purpose", "")});
    } else if (e.type == "workflow_resumed") {
      handled = m->Process(Resumed{});
    } else {
      continue;
    }
    if (!handled) {
      return Corruption("history of " + inst.id + " does not replay at seq " +
                        std::to_string(e.seq));
    }
  }
  if (m->state() != inst.state) {
    return Corruption("replayed state " + m->state() + " differs from stored " + inst.state +
                      " for " + inst.id);
  }
  return m;
}

void Engine::Evict(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  cache_.erase(id);
}

// Everything a commit carries to the moment its fate is known. The cache is only updated
// then: nothing decides on a version that is not durable.
struct Engine::PendingCommit {
  storage::Checkpoint cp;
  std::unique_ptr<WorkflowMachine> machine;
  std::shared_ptr<const json> input;
  std::shared_ptr<json> context;
  TimeMs now = 0;
};

bool Engine::SubmitCheckpoint(storage::Checkpoint& cp, std::function<void(Status)> done,
                              bool may_commit_here, Status* here) {
  Status before = failpoints_.Hit("engine.commit.before");
  if (!before.ok()) {
    done(before);
    return false;
  }
  auto after = [this](Status st) { return st.ok() ? failpoints_.Hit("engine.commit.after") : st; };
  if (!committer_) {
    done(after(store_.Commit(cp)));
    return false;
  }
  if (may_commit_here && committer_->TryCommitHere(cp, here)) {
    *here = after(*here);
    return true;
  }
  committer_->Submit(&cp, [after, done = std::move(done)](Status st) { done(after(st)); });
  return false;
}

void Engine::SetCommitHereHook(std::function<bool()> hook) { commit_here_ = std::move(hook); }

std::shared_ptr<Engine::PendingCommit> Engine::Prepare(Transition& t,
                                                       std::unique_ptr<WorkflowMachine> machine,
                                                       std::shared_ptr<const json> input) {
  auto p = std::make_shared<PendingCommit>();
  p->cp = t.Build();
  p->machine = std::move(machine);
  p->input = std::move(input);
  p->context = std::make_shared<json>(std::move(t.context()));
  p->now = t.now();
  return p;
}

Status Engine::CommitTransition(Transition& t, std::unique_ptr<WorkflowMachine> machine,
                                std::shared_ptr<const json> input) {
  std::shared_ptr<PendingCommit> p = Prepare(t, std::move(machine), std::move(input));
  std::promise<Status> result;
  std::future<Status> outcome = result.get_future();
  // The caller waits either way: when the committer is idle (nothing queued, no transaction
  // under way) it commits on this thread, which saves a hand-off to the committer and one
  // back; otherwise the checkpoint joins the committer's next batch.
  Status here;
  if (SubmitCheckpoint(p->cp, [&result](Status st) { result.set_value(std::move(st)); },
                       /*may_commit_here=*/true, &here)) {
    return AfterCommit(*p, here);
  }
  return AfterCommit(*p, outcome.get());
}

void Engine::CommitTransitionAsync(Transition& t, std::unique_ptr<WorkflowMachine> machine,
                                   std::shared_ptr<const json> input, const Executor& executor,
                                   std::function<void(Status)> then) {
  std::shared_ptr<PendingCommit> p = Prepare(t, std::move(machine), std::move(input));
  storage::Checkpoint& cp = p->cp;
  // The committer thread only hands the outcome over: caching and the next step run on the
  // executor, so that the committer is back at the next batch at once.
  // An idle engine (the committer has nothing to do, and the scheduler nothing else for this
  // worker) commits on this thread and goes on here: no hand-off to the committer and back,
  // which on a busy machine costs a wait for a CPU each way.
  const bool may_commit_here = commit_here_ && commit_here_();
  Status here;
  auto handed_over = [this, p, executor, then](Status st) {
    executor([this, p, then, st] { then(AfterCommit(*p, st)); });
  };
  if (SubmitCheckpoint(cp, handed_over, may_commit_here, &here)) then(AfterCommit(*p, here));
}

Status Engine::AfterCommit(PendingCommit& p, Status st) {
  storage::Checkpoint& cp = p.cp;
  const std::string id = cp.instance.id;
  if (!st.ok()) {
    Evict(id);  // the stored version is unknown now: reload next time
    return st;
  }
  bool wake = false;
  for (const auto& task : cp.new_tasks) wake = wake || task.due_at_ms <= p.now;
  if (!p.input) {
    p.input = std::make_shared<const json>(json::parse(cp.instance.input_json, nullptr, false));
  }
  std::function<void()> hook;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (cache_.size() >= options_.machine_cache_size) cache_.clear();
    if (status::IsFinal(cp.instance.status)) {
      cache_.erase(id);
    } else {
      // Another thread may already have cached a newer version of this workflow.
      auto& slot = cache_[id];
      if (!slot.machine || slot.instance.version < cp.instance.version) {
        slot.input = p.input;
        slot.instance = std::move(cp.instance);
        slot.machine = std::move(p.machine);
        slot.context = std::move(p.context);
      }
    }
    if (wake) hook = wake_;
    ++generation_;
  }
  changed_.notify_all();
  if (hook) hook();
  return Status::Ok();
}

Status Engine::DeleteTask(const storage::Task& task) {
  return store_.DeleteTask(task.id, task.lease_owner);
}

RetryDecision Engine::DecideRetryLocked(const RetryPolicy& p, const Status& error,
                                        int attempts_done, TimeMs now, TimeMs first_attempt_at) {
  std::lock_guard<std::mutex> lock(mu_);
  return DecideRetry(p, error, attempts_done, now, first_attempt_at, rng_);
}

void Engine::RegisterRunning(const std::string& workflow_id, CancellationToken* token,
                             TimeMs deadline_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  running_[workflow_id] = Running{token, deadline_ms};
}

int Engine::CancelOverdueAttempts() {
  TimeMs now = clock_.NowMs();
  int cancelled = 0;
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [id, r] : running_) {
    if (r.deadline_ms > 0 && now >= r.deadline_ms && !r.token->cancelled()) {
      r.token->CancelForTimeout();
      ++cancelled;
    }
  }
  return cancelled;
}

void Engine::UnregisterRunning(const std::string& workflow_id) {
  std::lock_guard<std::mutex> lock(mu_);
  running_.erase(workflow_id);
}

void Engine::CancelRunning(const std::string& workflow_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = running_.find(workflow_id);
  if (it != running_.end()) it->second.token->Cancel();
}

}  // namespace slipway::engine
