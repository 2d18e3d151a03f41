// tools/bench/bench_inflight.cc: many deployments in flight at once on one real slipwayd.
//
//   bench-inflight [--deployments N] [--build-ms B] [--pollers P] [--quiet-seconds Q]
//                  [--poll-seconds S] [--threads T] [--dir DIR] [--keep]
//
// Two real processes, as an operator would run them: the cloud emulator (`slipway-emulator`,
// Vercel builds taking B ms: QUEUED for the first half, BUILDING for the second) and one
// `slipwayd --sandbox --emulator URL` on a fresh SQLite file with slipwayd's default engine
// options (64 workers, 32 readers, 2 HTTP loops, at most 2 builds, synchronous=FULL) and a
// production slipwayd's look cadence (deploy looks at Vercel after 2 s, then 40 % later each
// up to 10 s: a sandbox keeps its 500 ms only with the emulator inside it).
// Everything goes through the real HTTP API from T client threads:
//   1. N tenants are onboarded (one deployment per tenant is in flight at a time: the
//      per-tenant serial queue, so N deployments in flight need N tenants); the bench waits
//      until every onboarding completed, then for the process to settle, and reads
//      slipwayd's RSS from /proc (the baseline);
//   2. one deployment per tenant is started, all with the same website data, and the bench
//      waits until 99.9 % of them wait (for Vercel's build in `deploy`, or for its promote
//      job in `promote`), or the first ended; it prints how many wait at once;
//   3. measured while they are in flight: RSS (per in-flight workflow = (RSS now - baseline) / N),
//      slipwayd's CPU over Q quiet seconds (utime + stime from /proc/<pid>/stat, and split
//      by thread name: the HTTP threads sw-http* versus the rest, "the engine"), then P
//      keep-alive pollers (load_client.h) of GET /v1/workflows/{id} on random in-flight ids for
//      S seconds: requests/s, p50, p99, and slipwayd's CPU meanwhile;
//   4. waits until every deployment ended: all must be `completed`; one that failed makes the
//      bench print its error and exit 1.
//
// What is not the production path, and printed as such:
//   - Lighthouse is off (SLIPWAY_LIGHTHOUSE=off, accepted with --sandbox only): verify still
//     fetches and crawls each staged deployment from the emulator. A real Chromium per
//     deployment is 15-40 s of CPU.
//   - Validation runs the template's real npm build (bubblewrap sandbox when it works) once: the
//     N deployments commit the same website data to identical trees, and the build cache is
//     keyed by the tree's sha and the builder's settings (activities/build/build_cache.h), so
//     the others reuse that result. Each deployment still downloads nothing for it but asks
//     GitHub (the emulator) for its commit's tree.
//   - The emulator is a separate process; its CPU is printed apart and not the engine's.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdarg>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/testing/process_util.h"
#include "tools/bench/proc_sample.h"
#include "tools/bench/bench_util.h"
#include "tools/bench/load_client.h"

extern char** environ;

namespace slipway::bench {
namespace {

using test_process::Alive;
using test_process::Spawn;

using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

struct Options {
  int deployments = 10000;
  int64_t build_ms = 120000;
  int pollers = 64;
  int quiet_seconds = 20;
  int poll_seconds = 15;
  int threads = 8;
  std::string dir;  // empty: a fresh temp dir, removed at the end unless --keep
  bool keep = false;
};

double Seconds(SteadyClock::time_point since) {
  return std::chrono::duration<double>(SteadyClock::now() - since).count();
}

void Say(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void Say(const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  std::vfprintf(stdout, fmt, args);
  va_end(args);
  std::fflush(stdout);
}

// ---- processes -------------------------------------------------------------------------


// The word after `label` in the file, waiting up to 120 s for it (the sandbox self-test and
// a cold start take a few seconds on a busy machine); "" when the process died first.
std::string WaitForWord(pid_t pid, const std::string& file, const std::string& label) {
  for (int i = 0; i < 1200 && Alive(pid); ++i) {
    std::string word = test_process::WordAfter(test_process::ReadAll(file), label);
    if (!word.empty()) return word;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return "";
}

uint16_t PortOf(const std::string& url) {
  return static_cast<uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
}

std::string EnvOr(const char* name, const char* fallback) {
  const char* v = getenv(name);
  return v != nullptr ? v : fallback;
}

// ---- HTTP ------------------------------------------------------------------------------

// One keep-alive connection to slipwayd (Poco), reconnecting after an error.
class Api {
 public:
  Api(uint16_t port, std::string token) : port_(port), token_(std::move(token)) {}

  test_process::Reply Call(const std::string& method, const std::string& path,
                           const std::string& body = "") {
    for (int attempt = 0; attempt < 3; ++attempt) {
      test_process::Reply r;
      try {
        if (!session_) {
          session_ = std::make_unique<Poco::Net::HTTPClientSession>("127.0.0.1", port_);
          session_->setKeepAlive(true);
          session_->setTimeout(Poco::Timespan(60, 0));
        }
        Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
        req.setKeepAlive(true);
        req.set("Authorization", "Bearer " + token_);
        if (method == "POST") {
          req.setContentType("application/json");
          req.setContentLength(static_cast<std::streamsize>(body.size()));
        }
        session_->sendRequest(req) << body;
        Poco::Net::HTTPResponse resp;
        std::istream& in = session_->receiveResponse(resp);
        std::stringstream ss;
        ss << in.rdbuf();
        r.status = static_cast<int>(resp.getStatus());
        r.text = ss.str();
        r.body = json::parse(r.text, nullptr, false);
        if (r.status == 503 || r.status == 429) {  // a cap: wait and ask again
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
          continue;
        }
        return r;
      } catch (const std::exception& e) {
        session_.reset();
        r.text = e.what();
        if (attempt == 2) return r;
      }
    }
    return test_process::Reply{};
  }

 private:
  uint16_t port_;
  std::string token_;
  std::unique_ptr<Poco::Net::HTTPClientSession> session_;
};

// Calls fn(api, i) for i in [0, n) from `threads` threads, each with its own connection.
void ForEach(int n, int threads, uint16_t port, const std::string& token,
             const std::function<void(Api&, int)>& fn) {
  std::atomic<int> next{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      Api api(port, token);
      for (int i = next++; i < n; i = next++) fn(api, i);
    });
  }
  for (auto& th : pool) th.join();
}

std::string TenantName(int i) {
  char name[32];
  std::snprintf(name, sizeof name, "t%05d", i);
  return name;
}

// The same site for every deployment: identical trees, so one real build serves them all.
json WebsiteData() {
  return {{"siteName", "Harbour Bakery"},
          {"tagline", "Fresh bread by the water since 1998"},
          {"contactEmail", "hello@harbour-bakery.example"},
          {"pages", json::array({{{"slug", "index"}, {"title", "Home"},
                                  {"body", "Sourdough, rye and pastries baked every morning."}},
                                 {{"slug", "about"}, {"title", "About us"},
                                  {"body", "A family bakery on the old harbour."}}})}};
}

bool Terminal(const std::string& status) {
  return status == "completed" || status == "failed" || status == "cancelled";
}

bool InBuildWait(const json& wf) {
  if (!wf.is_object() || wf.value("current_step", json()) != json("deploy")) return false;
  for (const json& s : wf.value("steps", json::array())) {
    if (s.value("name", "") == "deploy") return s.value("status", "") == "waiting";
  }
  return false;
}

struct Sweep {
  int waiting = 0;      // in `deploy`, waiting for Vercel
  int completed = 0;
  int failed = 0;       // failed or cancelled
  int other = 0;
  std::string first_error;  // id and error of one failed workflow
};

// What a sweep last saw of each id. A sweep asks only about the ids whose answer can still
// change for the question at hand (a terminal status never does; a build wait does not end
// before the build's B ms), so the bench's own GETs do not grow with N into a load of their
// own: at 10,000 a full sweep is 10,000 GETs of the whole view every second.
enum class Seen : char { kUnknown, kOther, kWaiting, kCompleted, kFailed };

// GETs the ids not yet `final_from` or beyond (kWaiting: a wait counts as settled) and counts
// where all of them are.
Sweep SweepSome(const std::vector<std::string>& ids, std::vector<Seen>& seen, Seen final_from,
                int threads, uint16_t port, const std::string& token) {
  Sweep sweep;
  std::vector<int> ask;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (seen[i] < final_from) ask.push_back(static_cast<int>(i));
  }
  std::mutex mu;
  ForEach(static_cast<int>(ask.size()), threads, port, token, [&](Api& api, int k) {
    const size_t i = static_cast<size_t>(ask[static_cast<size_t>(k)]);
    test_process::Reply r = api.Call("GET", "/v1/workflows/" + ids[i]);
    const std::string status = r.body.is_object() ? r.body.value("status", "") : "";
    Seen now = status == "completed" ? Seen::kCompleted
               : Terminal(status)    ? Seen::kFailed
               : InBuildWait(r.body) ? Seen::kWaiting
                                     : Seen::kOther;
    std::lock_guard<std::mutex> lock(mu);
    seen[i] = now;
    if (now == Seen::kFailed && sweep.first_error.empty()) {
      sweep.first_error = ids[i] + ": " + r.body.value("error", json()).dump();
    }
  });
  for (Seen v : seen) {
    if (v == Seen::kCompleted) sweep.completed++;
    else if (v == Seen::kFailed) sweep.failed++;
    else if (v == Seen::kWaiting) sweep.waiting++;
    else sweep.other++;
  }
  return sweep;
}

// GETs every id once and counts where they are.
Sweep SweepAll(const std::vector<std::string>& ids, int threads, uint16_t port,
               const std::string& token) {
  std::vector<Seen> seen(ids.size(), Seen::kUnknown);
  return SweepSome(ids, seen, Seen::kCompleted, threads, port, token);
}

// Sweeps until `done(sweep)` or `limit` passes; returns the last sweep. An id seen at
// `final_from` or beyond is not asked again.
Sweep SweepUntil(const std::vector<std::string>& ids, const Options& o, uint16_t port,
                 const std::string& token, const std::function<bool(const Sweep&)>& done,
                 std::chrono::seconds limit, const char* what, Seen final_from) {
  const auto t0 = SteadyClock::now();
  std::vector<Seen> seen(ids.size(), Seen::kUnknown);
  Sweep s;
  while (true) {
    s = SweepSome(ids, seen, final_from, o.threads, port, token);
    Say("  [%6.1f s] %s: waiting for Vercel %d, completed %d, failed %d, elsewhere %d\n",
        Seconds(t0), what, s.waiting, s.completed, s.failed, s.other);
    if (done(s) || SteadyClock::now() - t0 > limit) return s;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

// Starts one workflow per tenant; the ids started (empty string where the start failed).
std::vector<std::string> StartAll(const Options& o, uint16_t port, const std::string& token,
                                  const std::function<json(int)>& body, std::string& error) {
  std::vector<std::string> ids(static_cast<size_t>(o.deployments));
  std::mutex mu;
  ForEach(o.deployments, o.threads, port, token, [&](Api& api, int i) {
    test_process::Reply r = api.Call("POST", "/v1/workflows", body(i).dump());
    if ((r.status == 201 || r.status == 200) && r.body.is_object()) {
      ids[static_cast<size_t>(i)] = r.body.value("id", "");
    } else {
      std::lock_guard<std::mutex> lock(mu);
      if (error.empty()) error = std::to_string(r.status) + " " + r.text;
    }
  });
  return ids;
}

class Processes {
 public:
  explicit Processes(const Options& o) : o_(o) {
    if (o.dir.empty()) {
      char tmpl[] = "/tmp/slipway-inflight-XXXXXX";
      dir_ = mkdtemp(tmpl);
      chmod(dir_.c_str(), 0711);  // the build sandbox's uid unpacks sources below it
    } else {
      dir_ = o.dir;
      std::filesystem::create_directories(dir_);
    }
  }
  ~Processes() {
    for (pid_t pid : {slipwayd_, emulator_}) {
      if (pid > 0) {
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
      }
    }
    if (!o_.keep && o_.dir.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    } else {
      Say("files kept in %s\n", dir_.c_str());
    }
  }

  bool Start() {
    std::filesystem::create_directories(dir_ + "/emulator");
    emulator_ = Spawn({SLIPWAY_EMULATOR_BIN, "--data-dir", dir_ + "/emulator", "--port", "0",
                       "--template-dir", SLIPWAY_SOURCE_DIR "/tests/fixtures/site",
                       "--template-repo", "slipway/site-template", "--deploy-delay-ms",
                       std::to_string(o_.build_ms), "--smtp-port", "0"},
                      {"PATH=" + EnvOr("PATH", "/usr/bin:/bin")}, dir_ + "/emulator.out",
                      dir_ + "/emulator.err");
    emulator_url_ = WaitForWord(emulator_, dir_ + "/emulator.out", "listening on");
    const std::string smtp = WaitForWord(emulator_, dir_ + "/emulator.out", "smtp on");
    if (emulator_url_.empty() || smtp.empty()) {
      std::fprintf(stderr, "the emulator did not start: %s\n",
                   test_process::ReadAll(dir_ + "/emulator.err").c_str());
      return false;
    }
    // slipwayd's defaults but for what a sandbox against an external emulator needs; the
    // environment's SLIPWAY_* (e.g. SLIPWAY_WORKERS to compare) pass through.
    std::vector<std::string> env = {"SLIPWAY_DB=" + dir_ + "/slipway.db",
                                    "SLIPWAY_LISTEN=127.0.0.1:0", "SLIPWAY_LIGHTHOUSE=off",
                                    "SLIPWAY_WORK_DIR=" + dir_,
                                    "PATH=" + EnvOr("PATH", "/usr/bin:/bin"),
                                    "HOME=" + EnvOr("HOME", "/root")};
    for (char** e = environ; *e != nullptr; ++e) {
      std::string entry = *e;
      if (entry.rfind("SLIPWAY_", 0) == 0 && entry.rfind("SLIPWAY_DB=", 0) != 0 &&
          entry.rfind("SLIPWAY_LISTEN=", 0) != 0 && entry.rfind("SLIPWAY_LIGHTHOUSE=", 0) != 0) {
        env.push_back(entry);
        Say("  passed to slipwayd: %s\n", entry.c_str());
      }
    }
    slipwayd_ = Spawn({SLIPWAYD_PATH, "--sandbox", "--state-dir", dir_ + "/state", "--emulator",
                       emulator_url_, "--emulator-smtp-port", std::to_string(PortOf(smtp))},
                      env, dir_ + "/slipwayd.out", dir_ + "/slipwayd.err");
    const std::string api = WaitForWord(slipwayd_, dir_ + "/slipwayd.out", "API:");
    token_ = WaitForWord(slipwayd_, dir_ + "/slipwayd.out", "ops token:");
    if (api.empty() || token_.empty()) {
      std::fprintf(stderr, "slipwayd did not start: %s\n",
                   test_process::ReadAll(dir_ + "/slipwayd.err").c_str());
      return false;
    }
    port_ = PortOf(api);
    return true;
  }

  pid_t slipwayd() const { return slipwayd_; }
  pid_t emulator() const { return emulator_; }
  uint16_t port() const { return port_; }
  const std::string& token() const { return token_; }
  std::string SlipwaydLog() const { return test_process::ReadAll(dir_ + "/slipwayd.err"); }

 private:
  const Options& o_;
  std::string dir_;
  pid_t emulator_ = -1, slipwayd_ = -1;
  std::string emulator_url_, token_;
  uint16_t port_ = 0;
};

// Lines of slipwayd's log (JSON) at warn or error level, counted by message.
void PrintLogProblems(const std::string& log) {
  std::map<std::string, int> counts;
  std::istringstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    json j = json::parse(line, nullptr, false);
    if (!j.is_object()) continue;
    const std::string level = j.value("level", "");
    if (level == "error" || level == "warn") counts[level + ": " + j.value("msg", j.value("message", ""))]++;
  }
  for (const auto& [msg, n] : counts) Say("  slipwayd log %5d x %s\n", n, msg.substr(0, 160).c_str());
}

int Run(const Options& o) {
  Say("bench-inflight deployments=%d build_ms=%lld pollers=%d quiet_s=%d poll_s=%d cores=%u\n",
      o.deployments, static_cast<long long>(o.build_ms), o.pollers, o.quiet_seconds,
      o.poll_seconds, std::thread::hardware_concurrency());
  Say("  load average before: %s\n", LoadAverage().c_str());
  Say("  off for the bench: Lighthouse (SLIPWAY_LIGHTHOUSE=off with --sandbox); verify still "
      "crawls each staged deployment\n"
      "  builds: every deployment saves the same website data (identical trees): the first "
      "validation runs the real npm build, the others reuse its result (build cache keyed by "
      "tree sha + builder settings)\n");
  Processes procs(o);
  if (!procs.Start()) return 1;
  const uint16_t port = procs.port();
  const std::string& token = procs.token();
  const pid_t pid = procs.slipwayd();

  // 1. Onboarding.
  auto t0 = SteadyClock::now();
  std::string error;
  std::vector<std::string> onboardings = StartAll(o, port, token, [](int i) {
    return json{{"type", "onboarding"}, {"tenant", TenantName(i)},
                {"input", {{"email", TenantName(i) + "@example.com"}}}};
  }, error);
  if (!error.empty()) {
    std::fprintf(stderr, "an onboarding did not start: %s\n", error.c_str());
    return 1;
  }
  Say("  %d onboardings started in %.1f s\n", o.deployments, Seconds(t0));
  const auto limit = std::chrono::seconds(1800 + 3 * o.build_ms / 1000);
  Sweep s = SweepUntil(onboardings, o, port, token, [&](const Sweep& s) {
    return s.completed + s.failed == o.deployments;
  }, limit, "onboardings", Seen::kCompleted);
  if (s.failed > 0 || s.completed != o.deployments) {
    std::fprintf(stderr, "onboarding: %d of %d completed; %s\n", s.completed, o.deployments,
                 s.first_error.c_str());
    return 1;
  }
  Say("  %d onboardings completed in %.1f s\n", o.deployments, Seconds(t0));
  std::this_thread::sleep_for(std::chrono::seconds(5));  // let the last commits and checkpoints settle
  const ProcSample before = Sample(pid);
  Say("  slipwayd RSS with nothing in flight: %.1f MiB (peak so far %.1f MiB)\n",
      before.rss_kib / 1024, before.hwm_kib / 1024);

  // 2. The deployments, until every one waits for its Vercel build.
  t0 = SteadyClock::now();
  const json site = WebsiteData();
  std::vector<std::string> ids = StartAll(o, port, token, [&](int i) {
    return json{{"type", "deployment"}, {"tenant", TenantName(i)}, {"id", "inflight-1"},
                {"input", {{"website_data", site}}}};
  }, error);
  if (!error.empty()) {
    std::fprintf(stderr, "a deployment did not start: %s\n", error.c_str());
    return 1;
  }
  const double start_s = Seconds(t0);
  Say("  %d deployments started in %.1f s (%.0f/s)\n", o.deployments, start_s,
      o.deployments / std::max(start_s, 1e-3));
  // Waits are not asked about again while the others get there; one full sweep then says
  // how many wait at once (a build that ended meanwhile shows as completed or elsewhere).
  // 99.9 % is enough to measure: one deployment in a retry's back-off (an emulator call that
  // timed out) would otherwise hold the measurement until the first builds ended.
  const int enough = o.deployments - o.deployments / 1000;
  s = SweepUntil(ids, o, port, token, [&](const Sweep& s) {
    return s.waiting >= enough || s.completed + s.failed > 0;
  }, limit, "deployments", Seen::kWaiting);
  if (s.failed == 0) s = SweepAll(ids, o.threads, port, token);
  if (s.failed > 0) {
    std::fprintf(stderr, "FAILED: %d deployments failed before all were in flight; first: %s\n",
                 s.failed, s.first_error.c_str());
    return 1;
  }
  // In flight: not ended. Between two waits (verify, domain) a deployment is in flight too.
  const int in_flight = o.deployments - s.completed - s.failed;
  if (in_flight != o.deployments) {
    Say("  NOT all in flight at once: %d in flight when the first ended (%d completed, "
        "%d failed; builds of %lld ms are too short for this many)\n",
        in_flight, s.completed, s.failed, static_cast<long long>(o.build_ms));
  }
  const double reach_s = Seconds(t0);
  Say("  %d deployments in flight %.1f s after the first start: %d in a wait (Vercel's build or "
      "promote job), %d between two waits\n",
      in_flight, reach_s, s.waiting, in_flight - s.waiting);

  // 3. Measured while they wait.
  const ProcSample at_wait = Sample(pid);
  const ProcSample emu0 = Sample(procs.emulator());
  auto q0 = SteadyClock::now();
  std::this_thread::sleep_for(std::chrono::seconds(o.quiet_seconds));
  const ProcSample after_quiet = Sample(pid);
  const ProcSample emu1 = Sample(procs.emulator());
  const double quiet_s = Seconds(q0);

  LoadOptions lo;
  lo.port = port;
  lo.connections = o.pollers;
  lo.end = SteadyClock::now() + std::chrono::seconds(o.poll_seconds);
  lo.headers = "Authorization: Bearer " + token + "\r\n";
  std::vector<std::string> live;
  for (const std::string& id : ids) live.push_back(id);
  const ProcSample poll0 = Sample(pid);
  auto p0 = SteadyClock::now();
  LoadResult polled = RunLoad(lo, [&](std::mt19937_64& rng) {
    return "/v1/workflows/" + live[rng() % live.size()];
  });
  const double poll_s = Seconds(p0);
  const ProcSample poll1 = Sample(pid);
  const Sweep during = SweepAll(ids, o.threads, port, token);
  std::sort(polled.latency_ms.begin(), polled.latency_ms.end());

  const double per_wf_kib = in_flight > 0 ? (at_wait.rss_kib - before.rss_kib) / in_flight : 0;
  const double quiet_cpu = (after_quiet.cpu_s - at_wait.cpu_s) / quiet_s;
  const double quiet_http = quiet_cpu - (after_quiet.engine_cpu_s - at_wait.engine_cpu_s) / quiet_s;
  const double poll_cpu = (poll1.cpu_s - poll0.cpu_s) / poll_s;
  const double poll_http = poll_cpu - (poll1.engine_cpu_s - poll0.engine_cpu_s) / poll_s;
  Say("\nwhile %d deployments are in flight (%d still waiting after the measurements, %d "
      "completed meanwhile):\n",
      in_flight, during.waiting, during.completed);
  Say("  RSS                      %8.1f MiB (%.1f MiB before the deployments started)\n",
      at_wait.rss_kib / 1024, before.rss_kib / 1024);
  Say("  RSS per in-flight workflow %6.1f KiB   (target <= 20 KB)\n", per_wf_kib);
  Say("  slipwayd CPU, quiet      %8.3f cores over %.0f s (HTTP threads %.3f, engine %.3f; "
      "target: engine <= 0.5)\n",
      quiet_cpu, quiet_s, quiet_http, quiet_cpu - quiet_http);
  Say("  emulator CPU, quiet      %8.3f cores (another process: Vercel's side of the polls)\n",
      (emu1.cpu_s - emu0.cpu_s) / quiet_s);
  Say("  %d pollers, GET /v1/workflows/{id}: %zu requests in %.1f s, %.0f requests/s\n",
      o.pollers, polled.latency_ms.size(), poll_s,
      static_cast<double>(polled.latency_ms.size()) / poll_s);
  Say("  poll latency p50/p99/max %8.2f / %.2f / %.2f ms   (target p99 < 10 ms); errors %lld;",
      Percentile(polled.latency_ms, 0.5), Percentile(polled.latency_ms, 0.99),
      polled.latency_ms.empty() ? 0.0 : polled.latency_ms.back(),
      static_cast<long long>(polled.errors));
  for (const auto& [code, n] : polled.codes) Say(" %d:%lld", code, static_cast<long long>(n));
  Say("\n  slipwayd CPU, polled     %8.3f cores (HTTP threads %.3f, engine %.3f); load client "
      "%.3f cores\n",
      poll_cpu, poll_http, poll_cpu - poll_http, polled.cpu_seconds / poll_s);
  Say("  load average             %s\n\n", LoadAverage().c_str());

  // 4. Every deployment must complete.
  t0 = SteadyClock::now();
  s = SweepUntil(ids, o, port, token, [&](const Sweep& s) {
    return s.completed + s.failed == o.deployments;
  }, limit, "deployments", Seen::kCompleted);
  const ProcSample end = Sample(pid);
  Say("  peak RSS of slipwayd     %8.1f MiB\n", end.hwm_kib / 1024);
  PrintLogProblems(procs.SlipwaydLog());
  if (s.completed != o.deployments) {
    std::fprintf(stderr, "FAILED: %d of %d deployments completed, %d failed; first: %s\n",
                 s.completed, o.deployments, s.failed, s.first_error.c_str());
    return 1;
  }
  Say("all %d deployments completed (%.1f s after the measurements)\n", s.completed, Seconds(t0));
  return 0;
}

}  // namespace
}  // namespace slipway::bench

int main(int argc, char** argv) {
  slipway::bench::Options o;
  bool ok = true;
  for (int i = 1; i < argc && ok; ++i) {
    std::string flag = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : (ok = false, ""); };
    if (flag == "--deployments") o.deployments = std::atoi(next().c_str());
    else if (flag == "--build-ms") o.build_ms = std::atoll(next().c_str());
    else if (flag == "--pollers") o.pollers = std::atoi(next().c_str());
    else if (flag == "--quiet-seconds") o.quiet_seconds = std::atoi(next().c_str());
    else if (flag == "--poll-seconds") o.poll_seconds = std::atoi(next().c_str());
    else if (flag == "--threads") o.threads = std::atoi(next().c_str());
    else if (flag == "--dir") o.dir = next();
    else if (flag == "--keep") o.keep = true;
    else ok = false;
  }
  if (!ok || o.deployments < 1 || o.build_ms < 0 || o.pollers < 1 || o.quiet_seconds < 1 ||
      o.poll_seconds < 1 || o.threads < 1) {
    std::fprintf(stderr,
                 "usage: bench-inflight [--deployments N] [--build-ms B] [--pollers P] "
                 "[--quiet-seconds Q] [--poll-seconds S] [--threads T] [--dir DIR] [--keep]\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  return slipway::bench::Run(o);
}
