// tests/multinode/multinode_test.cc: three slipwayd nodes on one PostgreSQL database and one
// emulator; 30 onboardings, then 300 deployments started over the three nodes' HTTP APIs
// while one node is SIGKILLed twice and restarted, and another is stopped (SIGSTOP) past its
// leases and then resumed. Everything is then checked from the
// engine's records (views and histories through the API) and the emulator's request log, not
// from what the test itself did: every workflow completed; a tenant's deployments ran one at a
// time in start order; each outside effect landed once per workflow; every hash chain
// verifies up to the head the workflow records; no step attempt ran on two nodes at once, and
// no attempt whose lease was taken over committed afterwards (see CheckLeases).
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "storage/testing/pg_cluster.h"
#include "tests/multinode/cluster.h"
#include "tools/slipctl/chain_verify.h"

namespace slipway::multinode {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr int kNodes = 3;
constexpr int kTenants = 30;
constexpr int kPerTenant = 10;
constexpr int kVictim = 2;  // the node killed twice
constexpr int kPaused = 1;  // the node paused past its leases, then resumed

std::string Tenant(int t) { return "tenant-" + std::string(t < 10 ? "0" : "") + std::to_string(t); }
std::string DeployId(int t, int d) { return Tenant(t) + ":deploy-" + std::to_string(d); }

bool IsFinal(const std::string& s) {
  return s == "completed" || s == "failed" || s == "cancelled";
}

TimeMs At(const json& event) {
  Result<TimeMs> t = slipctl::ParseRfc3339(event.value("at", ""));
  return t.ok() ? *t : -1;
}

// POSTs a start on node `first`, or on the next node up when it does not answer (the id
// makes a repeat find the workflow a lost answer created). Returns the workflow id.
std::string Start(const Cluster& c, int first, const json& body) {
  for (int tries = 0; tries < 60; ++tries) {
    Reply r = c.Call((first + tries) % c.size(), "POST", "/v1/workflows", body.dump());
    if (r.status == 201 || r.status == 200) return r.body.value("id", "");
    if (r.status != 0 && r.status < 500) {
      ADD_FAILURE() << "start refused: " << r.status << " " << r.text;
      return "";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ADD_FAILURE() << "no node accepted " << body.dump();
  return "";
}

// Waits (on whichever node answers) until every workflow is final or the time is up; returns
// the last view of each. A plain GET first: a long poll (?wait=N) answers only on a change.
std::map<std::string, json> WaitAll(const Cluster& c, const std::vector<std::string>& ids,
                                    std::chrono::seconds limit) {
  const auto deadline = Clock::now() + limit;
  std::map<std::string, json> views;
  int node = 0;
  for (const std::string& id : ids) {
    bool look_first = true;
    while (Clock::now() < deadline) {
      Reply r = c.Call(node, "GET", "/v1/workflows/" + id + (look_first ? "" : "?wait=5"), "",
                       std::chrono::seconds(15));
      if (r.status != 200) {
        node = (node + 1) % c.size();
        look_first = true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }
      views[id] = r.body;
      if (IsFinal(r.body.value("status", ""))) break;
      look_first = !look_first;
    }
  }
  return views;
}

std::vector<json> History(const Cluster& c, const std::string& id) {
  std::vector<json> events;
  int64_t after = 0;
  while (true) {
    Reply r = c.Call(0, "GET", "/v1/workflows/" + id + "/history?after=" + std::to_string(after) +
                                   "&limit=1000");
    if (r.status != 200 || !r.body.is_object()) {
      ADD_FAILURE() << "history of " << id << ": " << r.status << " " << r.text;
      return events;
    }
    const json page = r.body.value("events", json::array());
    for (const json& e : page) events.push_back(e);
    const json next = r.body.value("next_after", json());
    if (page.empty() || !next.is_number_integer() || next.get<int64_t>() <= after) return events;
    after = next.get<int64_t>();
  }
}

// The hash chain from the first event to the head the workflow's own row records.
void CheckChain(const std::string& id, const json& view, const std::vector<json>& events) {
  slipctl::ChainVerifier chain(id);
  const json head = view.value("history", json());
  ASSERT_TRUE(head.is_object()) << id << " serves no history head";
  chain.AddAnchor({head.value("last_seq", int64_t{0}), head.value("last_hash", ""),
                   "the head the workflow records"});
  for (const json& e : events) {
    if (!chain.Add(e).ok()) break;
  }
  Status verdict = chain.Finish();
  EXPECT_TRUE(verdict.ok()) << id << ": " << verdict.message();
}

struct LeaseStats {
  std::map<std::string, int> attempts_by_node;  // step_started per node name
  std::set<std::string> owners;                 // distinct lease owners (process starts)
  int lost = 0;                                 // attempt_lost notices
  int taken_over = 0;                           // events under a fencing token above 1
  int handovers = 0;  // a task's lease moved to another owner between two of its events
};

std::string NodeOf(const std::string& owner) { return owner.substr(0, owner.find('#')); }

// From one history: every attempt event names its lease (owner = "<node>#<start ms>", fencing
// token, task); per task, tokens never go back and one token has one owner (a worker whose
// lease was taken over never committed after the takeover); per step, an attempt ends (its
// outcome, or the next claimer's attempt_lost notice) before the next one starts, and an
// outcome comes from the attempt's own lease unless the attempt waited (looks may run on
// any node, one at a time).
void CheckLeases(const std::string& id, const std::vector<json>& events, LeaseStats& stats) {
  std::map<int64_t, std::pair<int64_t, std::string>> task_lease;  // task -> (token, owner)
  struct Open {
    int attempt = 0;
    std::string owner;
    TimeMs started = 0;
    bool waited = false;
  };
  std::map<std::string, Open> open;        // step -> its attempt without an end yet
  std::map<std::string, TimeMs> last_end;  // step -> when its last attempt ended
  for (const json& e : events) {
    const std::string type = e.value("type", "");
    if (type != "step_started" && type != "step_succeeded" && type != "step_failed" &&
        type != "step_progress") {
      continue;
    }
    const json data = e.value("data", json::object());
    const std::string step = e.value("step", json()).is_string() ? e["step"].get<std::string>() : "";
    const int attempt = e.value("attempt", 0);
    const std::string owner = data.value("lease_owner", "");
    const int64_t token = data.value("lease_token", int64_t{-1});
    const int64_t task = data.value("task", int64_t{-1});
    ASSERT_FALSE(owner.empty()) << id << " seq " << e.value("seq", 0) << " names no lease";
    ASSERT_GE(token, 0) << id << " seq " << e.value("seq", 0);
    stats.owners.insert(owner);
    if (token > 1) ++stats.taken_over;
    auto [it, fresh] = task_lease.emplace(task, std::make_pair(token, owner));
    if (!fresh) {
      EXPECT_GE(token, it->second.first)
          << id << " seq " << e.value("seq", 0) << ": task " << task << " committed under token "
          << token << " after token " << it->second.first << " (a fenced-off lease)";
      if (token == it->second.first) {
        EXPECT_EQ(owner, it->second.second)
            << id << " seq " << e.value("seq", 0) << ": two owners hold token " << token;
      }
      if (token > it->second.first) {
        stats.handovers += owner != it->second.second;
        it->second = {token, owner};
      }
    }
    const TimeMs at = At(e);
    const bool lost = type == "step_failed" &&
                      data.value("error", json::object()).value("code", "") == "attempt_lost";
    if (type == "step_started") {
      ++stats.attempts_by_node[NodeOf(owner)];
      EXPECT_EQ(open.count(step), 0u)
          << id << " seq " << e.value("seq", 0) << ": " << step << " attempt " << attempt
          << " started while attempt " << open[step].attempt << " had not ended";
      EXPECT_GE(at, last_end[step]) << id << ": " << step << " attempts overlap in time";
      open[step] = {attempt, owner, at, false};
      continue;
    }
    auto o = open.find(step);
    if (o == open.end()) continue;  // e.g. an outcome of a timer-driven step
    if (type == "step_progress") {
      o->second.waited = true;
      continue;
    }
    EXPECT_EQ(attempt, o->second.attempt) << id << " seq " << e.value("seq", 0);
    if (lost) {
      ++stats.lost;
    } else if (!o->second.waited) {
      EXPECT_EQ(owner, o->second.owner)
          << id << " seq " << e.value("seq", 0) << ": " << step << " attempt " << attempt
          << " started under " << o->second.owner << " but its outcome came from " << owner;
    }
    last_end[step] = at;
    open.erase(o);
  }
}

// Polls the tasks table (only to time a kill) until the newest process of `node` holds at
// least `want` live leases, or `limit` passes; returns how many it held at the last look.
int WaitForLeases(const std::string& dsn, const std::string& node, int want,
                  std::chrono::seconds limit) {
  const auto deadline = Clock::now() + limit;
  int held = 0;
  try {
    pqxx::connection conn(dsn);
    while (Clock::now() < deadline) {
      pqxx::work t(conn);
      pqxx::result r = t.exec_params(
          "SELECT lease_owner, COUNT(*) FROM tasks WHERE lease_owner LIKE $1 AND"
          " lease_until_ms > (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint"
          " GROUP BY lease_owner ORDER BY lease_owner DESC LIMIT 1",
          node + "#%");
      t.commit();
      held = r.empty() ? 0 : r[0][1].as<int>();
      if (held >= want) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  } catch (const std::exception& e) {
    ADD_FAILURE() << "tasks query: " << e.what();
  }
  return held;
}

// What the database is doing, for a run that did not finish: sessions not idle (what they
// wait on, for how long), the leased and due tasks, and held advisory locks.
std::string DescribeStall(const std::string& dsn) {
  std::string out;
  try {
    pqxx::connection conn(dsn);
    pqxx::work t(conn);
    auto rows = [&](const char* title, const char* sql) {
      out += std::string(title) + ":\n";
      for (const auto& row : t.exec(sql)) {
        for (const auto& f : row) out += std::string(f.c_str()) + " | ";
        out += "\n";
      }
    };
    rows("sessions",
         "SELECT pid, state, COALESCE(wait_event_type, ''), COALESCE(wait_event, ''),"
         " COALESCE(EXTRACT(EPOCH FROM now() - xact_start)::text, ''), LEFT(query, 120)"
         " FROM pg_stat_activity WHERE datname = current_database() AND state <> 'idle'"
         " AND pid <> pg_backend_pid()");
    rows("advisory locks",
         "SELECT pid, classid, objid, granted FROM pg_locks WHERE locktype = 'advisory'");
    rows("tasks (first 40 by due time)",
         "SELECT id, workflow_id, kind, step, attempt, due_at_ms -"
         " (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint, lease_owner,"
         " lease_until_ms - (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint,"
         " lease_token FROM tasks ORDER BY due_at_ms, id LIMIT 40");
  } catch (const std::exception& e) {
    out += std::string("(database query failed: ") + e.what() + ")\n";
  }
  return out;
}

// Emulator effects (request log) of `effect`, by subject.
std::map<std::string, int> EffectsBySubject(const std::vector<json>& log, const std::string& effect) {
  std::map<std::string, int> out;
  for (const json& e : log) {
    if (e.value("effect", "") == effect) ++out[e.value("subject", "")];
  }
  return out;
}

TEST(MultiNodeTest, ThreeNodesOnOneDatabaseRun300DeploymentsThroughTwoKillsAndAPause) {
  auto& pg = storage::testing::PgCluster::Shared();
  const std::string dsn = pg.CreateDatabase();
  Cluster c(pg.UrlOf(dsn), kNodes);
  ASSERT_TRUE(c.ok());
  const auto began = Clock::now();

  std::vector<std::string> onboardings;
  for (int t = 0; t < kTenants; ++t) {
    onboardings.push_back(Start(c, t % kNodes, {{"type", "onboarding"}, {"tenant", Tenant(t)},
                                                {"id", "onboard"},
                                                {"input", {{"email", Tenant(t) + "@example.test"}}}}));
  }
  for (const auto& [id, view] : WaitAll(c, onboardings, std::chrono::seconds(120))) {
    ASSERT_EQ(view.value("status", ""), "completed") << id << ": " << view.dump();
  }
  const auto onboarded = Clock::now();

  // The kills: one node, twice, while deployments run, each time at a moment when it holds
  // task leases (most of a deployment's time is spent in durable timers, holding none); each
  // time it comes back under the same name (a new lease owner) on a new port.
  std::atomic<bool> killer_ok{true};
  std::atomic<int> leases_at_kill[2] = {{0}, {0}};
  std::atomic<int> leases_at_pause{0};
  std::thread killer([&] {
    for (int k = 0; k < 2; ++k) {
      std::this_thread::sleep_for(std::chrono::seconds(k == 0 ? 3 : 8));
      leases_at_kill[k] = WaitForLeases(dsn, c.NodeName(kVictim), 2, std::chrono::seconds(20));
      c.Kill(kVictim);
      std::this_thread::sleep_for(std::chrono::milliseconds(1000));
      if (!c.Restart(kVictim)) killer_ok = false;
    }
  });
  // Meanwhile another node stops (SIGSTOP, as in a long GC pause or a stopped VM) while it
  // holds leases, past their expiry, so that the other nodes take its tasks over; then it
  // runs again. Whatever it was running must not commit afterwards (CheckLeases: per task,
  // fencing tokens never go back in history).
  std::thread pauser([&] {
    std::this_thread::sleep_for(std::chrono::seconds(5));
    leases_at_pause = WaitForLeases(dsn, c.NodeName(kPaused), 1, std::chrono::seconds(20));
    c.Signal(kPaused, SIGSTOP);
    std::this_thread::sleep_for(std::chrono::seconds(40));
    c.Signal(kPaused, SIGCONT);
  });
  struct Joiner {  // a failed ASSERT below returns early: never leave a thread joinable
    std::thread& t;
    ~Joiner() {
      if (t.joinable()) t.join();
    }
  } join_killer{killer}, join_pauser{pauser};
  // Round d starts every tenant's d-th deployment; a tenant's d+1-th is started only after
  // its d-th was accepted.
  std::vector<std::string> deployments;
  for (int d = 0; d < kPerTenant; ++d) {
    for (int t = 0; t < kTenants; ++t) {
      json data = {{"siteName", "Site of " + Tenant(t)},
                   {"tagline", "release " + std::to_string(d)},
                   {"pages", {{{"slug", "index"}, {"title", "Home"},
                               {"body", "Release " + std::to_string(d) + " of " + Tenant(t)}}}}};
      deployments.push_back(Start(c, (t + d) % kNodes,
                                  {{"type", "deployment"}, {"tenant", Tenant(t)},
                                   {"id", "deploy-" + std::to_string(d)},
                                   {"input", {{"website_data", data}}}}));
      ASSERT_EQ(deployments.back(), DeployId(t, d));
    }
  }
  const auto started = Clock::now();
  std::map<std::string, json> views = WaitAll(c, deployments, std::chrono::seconds(180));
  if (killer.joinable()) killer.join();
  if (pauser.joinable()) pauser.join();
  ASSERT_TRUE(killer_ok) << "the killed node did not come back:\n" << c.NodeLog(kVictim);
  const auto finished = Clock::now();
  int completed = 0;
  for (const auto& [id, view] : views) {
    completed += view.value("status", "") == "completed";
    EXPECT_EQ(view.value("status", ""), "completed") << id << ": " << view.dump();
  }
  if (completed != kTenants * kPerTenant) {
    std::string logs;
    for (int i = 0; i < kNodes; ++i) logs += c.NodeName(i) + ":\n" + c.NodeLog(i) + "\n";
    for (const auto& [id, view] : views) {
      if (view.value("status", "") == "completed") continue;
      logs += "history of " + id + ":\n";
      for (const json& e : History(c, id)) logs += e.dump() + "\n";
      break;
    }
    FAIL() << completed << " of " << kTenants * kPerTenant << " completed.\n"
           << DescribeStall(dsn) << logs;
  }
  for (int i = 0; i < kNodes; ++i) EXPECT_TRUE(c.Running(i)) << c.NodeName(i);

  // Histories: chains, leases, and each tenant's order.
  LeaseStats stats;
  std::map<std::string, std::pair<TimeMs, TimeMs>> ran;  // id -> first step start, completion
  for (const std::string& id : deployments) {
    Reply fresh = c.Call(0, "GET", "/v1/workflows/" + id);  // the head after the end
    ASSERT_EQ(fresh.status, 200) << fresh.text;
    std::vector<json> events = History(c, id);
    CheckChain(id, fresh.body, events);
    CheckLeases(id, events, stats);
    TimeMs first = -1, done = -1;
    for (const json& e : events) {
      if (first < 0 && e.value("type", "") == "step_started") first = At(e);
      if (e.value("type", "") == "workflow_completed") done = At(e);
    }
    ASSERT_TRUE(first >= 0 && done >= first) << id;
    ran[id] = {first, done};
    views[id] = fresh.body;
  }
  for (int t = 0; t < kTenants; ++t) {
    for (int d = 1; d < kPerTenant; ++d) {
      const std::string prev = DeployId(t, d - 1), next = DeployId(t, d);
      Result<TimeMs> created_prev = slipctl::ParseRfc3339(views[prev].value("created_at", ""));
      Result<TimeMs> created_next = slipctl::ParseRfc3339(views[next].value("created_at", ""));
      ASSERT_TRUE(created_prev.ok() && created_next.ok());
      EXPECT_LE(*created_prev, *created_next) << next << " was created before " << prev;
      EXPECT_GE(ran[next].first, ran[prev].second)
          << next << " ran before " << prev << " (started earlier) completed";
    }
  }
  for (int i = 0; i < kNodes; ++i) {
    EXPECT_GT(stats.attempts_by_node[c.NodeName(i)], 0) << c.NodeName(i) << " ran nothing";
  }
  int victim_owners = 0;
  for (const std::string& o : stats.owners) victim_owners += NodeOf(o) == c.NodeName(kVictim);
  EXPECT_GE(victim_owners, 2) << "node-2 ran attempts before and after a kill";
  EXPECT_GT(stats.lost + stats.taken_over, 0) << "the kills took no work away from node-2";
  EXPECT_GT(stats.handovers, 0) << "no task's lease moved to another node";

  // Effects, from the emulator's log: per tenant one repository, webhook, e-mail, two
  // projects; per deployment one save commit (on its own work branch), one work branch, two
  // fast-forwards (production, then main), one Vercel deployment carrying that workflow's
  // idempotency key, and one promotion of it.
  const std::vector<json> log = c.EmulatorLog();
  const auto repos = EffectsBySubject(log, "repo_created");
  const auto hooks = EffectsBySubject(log, "webhook_created");
  const auto commits = EffectsBySubject(log, "commit");
  const auto refs = EffectsBySubject(log, "ref_created");
  const auto moves = EffectsBySubject(log, "branch_moved");
  const auto mails = EffectsBySubject(log, "mail_sent");
  for (int t = 0; t < kTenants; ++t) {
    const std::string repo = "sandbox-sites/" + Tenant(t);
    EXPECT_EQ(repos.count(repo) ? repos.at(repo) : 0, 1) << repo;
    EXPECT_EQ(hooks.count(repo) ? hooks.at(repo) : 0, 1) << repo;
    EXPECT_EQ(commits.count(repo) ? commits.at(repo) : 0, kPerTenant) << repo;
    EXPECT_EQ(refs.count(repo) ? refs.at(repo) : 0, 1 + kPerTenant) << repo;
    EXPECT_EQ(moves.count(repo) ? moves.at(repo) : 0, 2 * kPerTenant) << repo;
    const std::string mail = Tenant(t) + "@example.test";
    EXPECT_EQ(mails.count(mail) ? mails.at(mail) : 0, 1) << mail;
  }
  EXPECT_EQ(EffectsBySubject(log, "project_created").size(), 2u * kTenants);
  std::map<std::string, int> keys;  // Vercel deployments by their Slipway idempotency key
  int vercel_deployments = 0;
  for (const auto& [dpl, n] : EffectsBySubject(log, "deployment_created")) {
    vercel_deployments += n;
    EXPECT_EQ(n, 1) << dpl;
    Reply r = c.CallEmulator("GET", "/v13/deployments/" + dpl, "multinode");
    ASSERT_EQ(r.status, 200) << r.text;
    ++keys[r.body.value("meta", json::object()).value("slipwayIdempotencyKey", "")];
  }
  EXPECT_EQ(vercel_deployments, kTenants + kTenants * kPerTenant);  // dev ones, then these
  const auto promoted = EffectsBySubject(log, "promoted");
  std::set<std::string> deployed;
  for (const std::string& id : deployments) {
    // The save commit moves the work branch slipway/<tenant>/<name> (PATCH .../git/refs/heads/
    // <branch>, the slashes maybe escaped); nothing else commits to it.
    const std::string tenant = id.substr(0, id.find(':')), name = id.substr(id.find(':') + 1);
    int saves = 0;
    for (const json& e : log) {
      const std::string path = e.value("path", "");
      for (const std::string& branch : {"heads/slipway/" + tenant + "/" + name,
                                        "heads/slipway%2F" + tenant + "%2F" + name}) {
        saves += e.value("effect", "") == "commit" && path.size() >= branch.size() &&
                 path.compare(path.size() - branch.size(), branch.size(), branch) == 0;
      }
    }
    EXPECT_EQ(saves, 1) << id << " committed " << saves << " times to its work branch";
    const std::string dpl = views[id]["result"]["deployment"].value("id", "");
    EXPECT_EQ(promoted.count(dpl) ? promoted.at(dpl) : 0, 1) << id << " promoted " << dpl;
    int with_key = 0;
    for (const auto& [key, n] : keys) {
      if (key.rfind(id + "/", 0) == 0) with_key += n;
    }
    EXPECT_EQ(with_key, 1) << id << " made " << with_key << " Vercel deployments";
    deployed.insert(views[id]["result"]["deployment"].value("id", ""));
  }
  EXPECT_EQ(deployed.size(), static_cast<size_t>(kTenants * kPerTenant));

  double load[3] = {0, 0, 0};
  getloadavg(load, 3);
  auto secs = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
  std::cout << "[ multinode ] onboarding " << secs(began, onboarded) << " s, starting "
            << secs(onboarded, started) << " s, deployments done after "
            << secs(onboarded, finished) << " s; attempts node-0/1/2 "
            << stats.attempts_by_node[c.NodeName(0)] << "/" << stats.attempts_by_node[c.NodeName(1)]
            << "/" << stats.attempts_by_node[c.NodeName(2)] << ", lost " << stats.lost
            << ", events under a fencing token above 1 " << stats.taken_over
            << ", node-2 leases at the kills " << leases_at_kill[0] << "/" << leases_at_kill[1]
            << ", node-1 leases when paused " << leases_at_pause << ", lease handovers "
            << stats.handovers
            << ", lease owners "
            << stats.owners.size() << ", emulator requests " << log.size() << ", load "
            << load[0] << " " << load[1] << " " << load[2] << "\n";
}

}  // namespace
}  // namespace slipway::multinode
