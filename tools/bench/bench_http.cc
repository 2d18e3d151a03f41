// tools/bench/bench_http.cc: status polling over HTTP while deployments run.
//
//   bench-http [--clients N] [--client-threads T] [--seconds D] [--workflows W] [--step-ms S]
//              [--workers K] [--readers R] [--dir DIR]
//
// In one process: a SqliteStore on a temp file (R read connections, 32 by default as in
// slipwayd), an Engine with group commit and a Scheduler with K workers, and the HttpApi on an
// ephemeral loopback port (as http/http_test_fixture.h sets it up). W "deployment" workflows
// (seven steps, serial per tenant, one tenant each) run an activity that sleeps S ms per step;
// each one that finishes is replaced by a new one, so W keep running for the whole
// measurement. N keep-alive connections (load_client.h: epoll, driven by T threads, one
// request in flight each) send `GET /v1/workflows/{id}` (a random one of the W current ids)
// with an ops token for D seconds. The clients share the machine with the server.
//
// The default workload is the HTTP issue's: 100 deployments running at once (K = W workers,
// so every one of them is in a step), each moving on a step a second: 100 step transitions
// and 200 new versions a second for the pollers to pick up. Real steps (a build, a Vercel
// deployment, DNS) take tens of seconds, so this is already several times busier than 100
// real deployments. `--step-ms 5 --workers 8` is a stress variant in which the engine runs
// flat out (about 500 steps/s) beside the pollers.
//
// Prints requests/s, p50/p99/max latency, errors, status codes, the engine's progress meanwhile,
// the load average and the process's CPU time per request, split between server threads,
// load client and engine. Figures, not a test: no assertions.
#include <stdlib.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/base/sha256.h"
#include "engine/scheduler.h"
#include "engine/testing/test_workflow.h"
#include "http/auth.h"
#include "http/http_api.h"
#include "storage/sqlite_store.h"
#include "tools/bench/bench_util.h"
#include "tools/bench/load_client.h"

namespace slipway::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kToken = "bench-ops-token";

struct Options {
  int clients = 64;
  int client_threads = 1;
  int seconds = 10;
  int workflows = 100;
  int step_ms = 1000;
  int workers = 0;  // 0 = one per workflow
  int readers = 32;  // SQLite read connections: slipwayd's default (SLIPWAY_READERS)
  std::string dir = "/tmp";
};

// Sleeps step_ms per step; reports each workflow that reaches its last step.
class SleepyActivity : public engine::Activity {
 public:
  explicit SleepyActivity(int step_ms) : step_ms_(step_ms) {}
  Result<nlohmann::json> Run(const engine::ActivityCall& call) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(step_ms_));
    steps_++;
    if (call.step == "s7") {
      std::lock_guard<std::mutex> lock(mu_);
      finished_.push_back(call.tenant);
      cv_.notify_one();
    }
    return nlohmann::json{{"passed", true}};
  }
  // The tenant of a workflow that finished its last step, or "" after `wait`.
  std::string NextFinished(std::chrono::milliseconds wait) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, wait, [&] { return !finished_.empty(); });
    if (finished_.empty()) return "";
    std::string t = finished_.front();
    finished_.pop_front();
    return t;
  }
  int64_t steps() const { return steps_; }

 private:
  const int step_ms_;
  std::atomic<int64_t> steps_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> finished_;
};

// The ids the clients poll: slot i holds the current workflow of tenant "t<i>".
class Slots {
 public:
  explicit Slots(size_t n) : ids_(n) {}
  void Set(size_t i, std::string id) {
    std::unique_lock<std::shared_mutex> lock(mu_);
    ids_[i] = std::move(id);
  }
  std::string Get(size_t i) const {
    std::shared_lock<std::shared_mutex> lock(mu_);
    return ids_[i];
  }
  size_t size() const { return ids_.size(); }

 private:
  mutable std::shared_mutex mu_;
  std::vector<std::string> ids_;
};

Result<std::string> StartDeployment(engine::Engine& engine, size_t slot) {
  Result<engine::Workflow> w = engine.Start(
      {"deployment", "t" + std::to_string(slot), nlohmann::json::object(), ""},
      engine::Caller{"ops:bench"});
  if (!w.ok()) return w.status();
  return w->instance.id;
}

int Run(const Options& o) {
  std::string path = o.dir + "/slipway-bench-http-" + std::to_string(getpid()) + ".db";
  Failpoints failpoints;
  storage::SqliteOptions so;
  so.path = path;
  so.read_connections = o.readers;
  auto store = storage::SqliteStore::Open(so, failpoints);
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", store.status().ToString().c_str());
    return 1;
  }
  SystemClock clock;
  engine::EngineOptions eo;
  eo.owner = "bench-http";
  eo.group_commit = true;
  engine::Engine engine(**store, clock, failpoints, eo);
  SleepyActivity activity(o.step_ms);
  engine.RegisterActivity("sleepy", activity);
  if (!engine.RegisterType(engine::testing::SevenStepType("deployment", "sleepy",
                                                          engine::RetryPolicy{}, true))
           .ok()) {
    return 1;
  }
  auto tokens = http::TokenStore::FromJson(nlohmann::json::array(
      {{{"name", "bench"}, {"role", "ops"}, {"token_sha256", Sha256Hex(kToken)}}}));
  if (!tokens.ok()) return 1;
  http::HttpApiOptions ho;
  ho.port = 0;
  ho.max_threads = std::max(128, o.clients + 16);
  http::HttpApi api(engine, *tokens, ho);
  Status st = api.Start();
  if (!st.ok()) {
    std::fprintf(stderr, "http: %s\n", st.ToString().c_str());
    return 1;
  }

  Slots slots(static_cast<size_t>(o.workflows));
  for (size_t i = 0; i < slots.size(); ++i) {
    Result<std::string> id = StartDeployment(engine, i);
    if (!id.ok()) {
      std::fprintf(stderr, "start: %s\n", id.status().ToString().c_str());
      return 1;
    }
    slots.Set(i, *id);
  }
  const int workers = o.workers > 0 ? o.workers : o.workflows;
  engine::Scheduler scheduler(engine, {workers, 100, 10'000});
  scheduler.Start();

  // Keeps W deployments running: a tenant whose workflow finished gets a new one.
  std::atomic<bool> stop{false};
  std::atomic<int64_t> replaced{0}, start_errors{0};
  std::thread replenisher([&] {
    while (!stop.load()) {
      std::string tenant = activity.NextFinished(std::chrono::milliseconds(100));
      if (tenant.empty()) continue;
      size_t slot = std::stoul(tenant.substr(1));
      Result<std::string> id = StartDeployment(engine, slot);
      if (id.ok()) {
        slots.Set(slot, *id);
        replaced++;
      } else {
        start_errors++;
      }
    }
  });

  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // let the deployments get going
  double load_before[3] = {0, 0, 0};
  getloadavg(load_before, 3);  // the machine's load before our clients add theirs
  const int64_t steps0 = activity.steps();
  const double cpu0 = ProcessCpuSeconds();
  const ThreadTimes server0 = SumThreadTimes("sw-http"), threads0 = SumThreadTimes("sw-");
  const auto t0 = Clock::now();
  const auto end = t0 + std::chrono::seconds(o.seconds);
  LoadOptions lo;
  lo.port = api.port();
  lo.connections = o.clients;
  lo.threads = o.client_threads;
  lo.end = end;
  lo.headers = std::string("Authorization: Bearer ") + kToken + "\r\n";
  LoadResult result = RunLoad(lo, [&](std::mt19937_64& rng) {
    return "/v1/workflows/" + slots.Get(rng() % slots.size());
  });
  const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
  const double cpu = ProcessCpuSeconds() - cpu0;
  const ThreadTimes server1 = SumThreadTimes("sw-http"), threads1 = SumThreadTimes("sw-");
  const double server_cpu = server1.on_cpu - server0.on_cpu;
  const double engine_cpu = (threads1.on_cpu - threads0.on_cpu) - server_cpu;
  const int64_t steps = activity.steps() - steps0;
  const int64_t finished_workflows = replaced.load();

  stop = true;
  replenisher.join();
  api.Stop();
  scheduler.Stop();

  std::vector<double>& all = result.latency_ms;
  std::sort(all.begin(), all.end());
  double load[3] = {0, 0, 0};
  getloadavg(load, 3);
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);

  std::printf("bench-http clients=%d client_threads=%d seconds=%d workflows=%d step_ms=%d "
              "workers=%d cores=%u\n",
              o.clients, o.client_threads, o.seconds, o.workflows, o.step_ms, workers,
              std::thread::hardware_concurrency());
  std::printf("  GET /v1/workflows/{id}   %zu requests in %.1f s\n", all.size(), elapsed);
  std::printf("  requests/s               %10.0f\n", static_cast<double>(all.size()) / elapsed);
  std::printf("  latency p50/p99/max ms   %10.2f / %.2f / %.2f\n", Percentile(all, 0.50),
              Percentile(all, 0.99), all.empty() ? 0.0 : all.back());
  std::printf("  errors                   %10lld   (connection/timeouts; non-200 codes below)\n",
              static_cast<long long>(result.errors));
  std::printf("  status codes            ");
  for (const auto& [code, n] : result.codes) std::printf(" %d:%lld", code, static_cast<long long>(n));
  std::printf("\n");
  std::printf("  meanwhile: steps/s       %10.0f   deployments finished (and replaced): %lld%s\n",
              static_cast<double>(steps) / elapsed, static_cast<long long>(finished_workflows),
              start_errors.load() ? "   (some replacement starts failed)" : "");
  std::printf("  load average (1/5/15)    %10.2f / %.2f / %.2f   before; %.2f / %.2f / %.2f after "
              "(includes this run)\n",
              load_before[0], load_before[1], load_before[2], load[0], load[1], load[2]);
  std::printf("  CPU of this process       %10.2f cores   %.1f us per request (server, engine "
              "and clients together: less noisy than requests/s on a shared machine)\n",
              cpu / elapsed, all.empty() ? 0.0 : cpu * 1e6 / static_cast<double>(all.size()));
  const double n = all.empty() ? 1.0 : static_cast<double>(all.size());
  std::printf("  CPU split                 server %.1f us/request, load client %.1f us/request, "
              "engine %.2f cores (%.0f us/step)\n",
              server_cpu * 1e6 / n, result.cpu_seconds * 1e6 / n, engine_cpu / elapsed,
              steps > 0 ? engine_cpu * 1e6 / static_cast<double>(steps) : 0.0);
  std::printf("  peak RSS MiB             %10.1f\n", ru.ru_maxrss / 1024.0);
  RemoveDatabase(path);
  return 0;
}

}  // namespace
}  // namespace slipway::bench

int main(int argc, char** argv) {
  slipway::bench::Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--clients") o.clients = std::atoi(argv[i + 1]);
    else if (flag == "--client-threads") o.client_threads = std::atoi(argv[i + 1]);
    else if (flag == "--seconds") o.seconds = std::atoi(argv[i + 1]);
    else if (flag == "--workflows") o.workflows = std::atoi(argv[i + 1]);
    else if (flag == "--step-ms") o.step_ms = std::atoi(argv[i + 1]);
    else if (flag == "--workers") o.workers = std::atoi(argv[i + 1]);
    else if (flag == "--readers") o.readers = std::atoi(argv[i + 1]);
    else if (flag == "--dir") o.dir = argv[i + 1];
    else {
      argc = 0;
      break;
    }
  }
  if (argc % 2 == 0 || o.clients < 1 || o.client_threads < 1 || o.seconds < 1 || o.workflows < 1 || o.step_ms < 0 ||
      o.workers < 0 || o.readers < 1) {
    std::fprintf(stderr,
                 "usage: bench-http [--clients N] [--client-threads T] [--seconds D] [--workflows W] [--step-ms S] "
                 "[--workers K] [--readers R] [--dir DIR]\n");
    return 2;
  }
  return slipway::bench::Run(o);
}
