// tools/bench/bench_pg.cc: RunPgNodes (see bench_pg.h).
#include "tools/bench/bench_pg.h"

#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/scheduler.h"
#include "engine/testing/test_workflow.h"
#include "storage/pg_store.h"
#include "storage/testing/pg_cluster.h"
#include "tools/bench/bench_util.h"

namespace slipway::bench {
namespace {

class NoopActivity : public engine::Activity {
 public:
  explicit NoopActivity(std::atomic<int>& last_steps) : last_steps_(last_steps) {}
  Result<nlohmann::json> Run(const engine::ActivityCall& call) override {
    if (call.step == "s7") last_steps_++;
    return nlohmann::json::object();
  }

 private:
  std::atomic<int>& last_steps_;
};

// One node: what one slipwayd holds (its own connections, engine and scheduler).
struct Node {
  Failpoints failpoints;
  std::unique_ptr<storage::PgStore> store;
  SystemClock clock;
  std::unique_ptr<NoopActivity> noop;
  std::unique_ptr<engine::Engine> engine;
  std::unique_ptr<engine::Scheduler> scheduler;
};

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace

int RunPgNodes(const PgBenchOptions& o) {
  std::string url = o.db;
  if (url == "pg-temp") {
    auto& cluster = storage::testing::PgCluster::Shared();
    url = cluster.UrlOf(cluster.CreateDatabase());
  }
  std::atomic<int> last_steps{0};
  std::vector<std::unique_ptr<Node>> nodes;
  for (int i = 0; i < o.nodes; ++i) {
    auto n = std::make_unique<Node>();
    storage::PgOptions po;
    po.dsn = url;
    // As slipwayd sizes it: a connection per worker that commits and claims, and a few more.
    po.connections = std::min(o.scheduler.workers + 6, 64);
    po.synchronous_commit = o.synchronous_commit;
    auto store = storage::PgStore::Open(po, n->failpoints);
    if (!store.ok()) {
      std::fprintf(stderr, "open: %s\n", store.status().ToString().c_str());
      return 1;
    }
    n->store = std::move(*store);
    engine::EngineOptions eo;
    eo.owner = "bench-node-" + std::to_string(i);
    eo.group_commit = true;
    n->engine = std::make_unique<engine::Engine>(*n->store, n->clock, n->failpoints, eo);
    n->noop = std::make_unique<NoopActivity>(last_steps);
    n->engine->RegisterActivity("noop", *n->noop);
    if (!n->engine->RegisterType(engine::testing::SevenStepType("seven", "noop", {})).ok()) {
      return 1;
    }
    n->scheduler = std::make_unique<engine::Scheduler>(*n->engine, o.scheduler);
    nodes.push_back(std::move(n));
  }
  for (auto& n : nodes) n->scheduler->Start();

  // Starts from 8 threads, as API requests arrive, spread over the nodes: every node's
  // scheduler runs while they arrive (several nodes: any node may run any workflow).
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::string> ids(static_cast<size_t>(o.workflows));
  std::atomic<int> next{0}, failed{0};
  std::vector<std::thread> starters;
  for (int t = 0; t < 8; ++t) {
    starters.emplace_back([&] {
      for (int i = next++; i < o.workflows; i = next++) {
        engine::Engine& e = *nodes[static_cast<size_t>(i % o.nodes)]->engine;
        auto w = e.Start({"seven", "t" + std::to_string(i % 100), nlohmann::json::object(), ""},
                         engine::Caller{});
        if (w.ok()) {
          ids[static_cast<size_t>(i)] = w->instance.id;
        } else {
          failed++;
        }
      }
    });
  }
  for (auto& t : starters) t.join();
  if (failed > 0) {
    std::fprintf(stderr, "%d starts failed\n", failed.load());
    return 1;
  }
  const auto started = std::chrono::steady_clock::now();
  while (last_steps < o.workflows) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::vector<double> latency_ms;
  for (const auto& id : ids) {
    for (;;) {
      auto inst = nodes[0]->store->Load(id);
      if (inst.ok() && inst->status == "completed") {
        latency_ms.push_back(static_cast<double>(inst->updated_at_ms - inst->created_at_ms));
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  const auto done = std::chrono::steady_clock::now();
  for (auto& n : nodes) n->scheduler->Stop();
  std::sort(latency_ms.begin(), latency_ms.end());
  const double elapsed = Seconds(done - t0);
  double load[3] = {0, 0, 0};
  getloadavg(load, 3);
  std::printf("postgresql nodes=%d workflows=%d workers/node=%d synchronous_commit=%s\n", o.nodes,
              o.workflows, o.scheduler.workers, o.synchronous_commit ? "on" : "off");
  std::printf("  starts/s              %10.0f   (8 threads over the nodes)\n",
              o.workflows / Seconds(started - t0));
  std::printf("  steps/s               %10.0f   (7 steps per workflow, first start to last end)\n",
              o.workflows * 7 / elapsed);
  std::printf("  latency p50/p99 ms    %10.0f / %.0f   (start to completion)\n",
              Percentile(latency_ms, 0.50), Percentile(latency_ms, 0.99));
  std::printf("  load average          %10.2f\n", load[0]);
  return 0;
}

}  // namespace slipway::bench
