// tests/multinode/cluster.cc: Cluster (see cluster.h).
#include "tests/multinode/cluster.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "engine/base/sha256.h"

namespace slipway::multinode {

using nlohmann::json;

using test_process::Alive;
using test_process::ReadAll;
using test_process::RandomHex;
using test_process::Spawn;
using test_process::WordAfter;

namespace {

uint16_t PortOf(const std::string& url) {
  return static_cast<uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
}


void KillAndReap(pid_t pid) {
  if (pid <= 0) return;
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

std::string Env(const char* name, const char* fallback) {
  const char* v = getenv(name);
  return v ? v : fallback;
}

}  // namespace

Reply Request(uint16_t port, const std::string& method, const std::string& path,
              const std::string& token, const std::string& body,
              std::chrono::milliseconds timeout) {
  return test_process::Request("127.0.0.1", port, method, path, token, body, timeout);
}

Cluster::Cluster(const std::string& db_url, int nodes) : db_url_(db_url) {
  char tmpl[] = "/tmp/slipway-multinode-XXXXXX";
  dir_ = mkdtemp(tmpl);
  token_ = RandomHex();
  std::ofstream(dir_ + "/tokens.json")
      << json::array({{{"name", "multinode-ops"}, {"role", "ops"},
                       {"token_sha256", Sha256Hex(token_)}}})
             .dump();
  // The stub npm: every build step "passes" at once (see cluster.h).
  std::filesystem::create_directories(dir_ + "/bin");
  std::ofstream(dir_ + "/bin/npm") << "#!/bin/sh\nexit 0\n";
  chmod((dir_ + "/bin/npm").c_str(), 0755);
  if (!StartEmulator()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    nodes_.resize(static_cast<size_t>(nodes));
  }
  for (int i = 0; i < nodes; ++i) {
    if (!StartNode(i)) return;
  }
  ok_ = true;
}

Cluster::~Cluster() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (Node& n : nodes_) KillAndReap(n.pid);
  }
  KillAndReap(emulator_pid_);
  if (!::testing::Test::HasFailure() && getenv("SLIPWAY_MULTINODE_KEEP") == nullptr) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  } else {
    std::cerr << "multinode: logs kept in " << dir_ << "\n";
  }
}

bool Cluster::StartEmulator() {
  std::filesystem::create_directories(dir_ + "/emulator");
  // Vercel builds take 400 ms here (the sandbox's own emulator: 1.5 s), so that 300
  // deployments fit the default test run.
  emulator_pid_ = Spawn({SLIPWAY_EMULATOR_BIN, "--data-dir", dir_ + "/emulator", "--port", "0",
                         "--template-dir", SLIPWAY_SOURCE_DIR "/tests/fixtures/site",
                         "--template-repo", "slipway/site-template", "--deploy-delay-ms", "400",
                         "--smtp-port", "0"},
                        {"PATH=" + Env("PATH", "/usr/bin:/bin")}, dir_ + "/emulator.out",
                        dir_ + "/emulator.err", /*append_err=*/true);
  for (int i = 0; i < 600 && Alive(emulator_pid_); ++i) {
    std::string out = ReadAll(dir_ + "/emulator.out");
    std::string url = WordAfter(out, "listening on"), smtp = WordAfter(out, "smtp on");
    if (!url.empty() && !smtp.empty()) {
      emulator_url_ = url;
      emulator_port_ = PortOf(url);
      smtp_port_ = PortOf(smtp);
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ADD_FAILURE() << "the emulator did not start: " << ReadAll(dir_ + "/emulator.err");
  return false;
}

bool Cluster::StartNode(int i) {
  const std::string name = NodeName(i), home = dir_ + "/" + name;
  std::filesystem::create_directories(home);
  int starts = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    starts = ++nodes_[static_cast<size_t>(i)].starts;
  }
  const std::string out = home + "/stdout." + std::to_string(starts);
  const pid_t pid = Spawn({SLIPWAYD_PATH, "--sandbox", "--state-dir", home + "/state", "--emulator",
                 emulator_url_, "--emulator-smtp-port", std::to_string(smtp_port_)},
                {"SLIPWAY_DB=" + db_url_, "SLIPWAY_LISTEN=127.0.0.1:0",
                 "SLIPWAY_NODE_NAME=" + name, "SLIPWAY_TOKENS=" + dir_ + "/tokens.json",
                 "SLIPWAY_LIGHTHOUSE=off", "SLIPWAY_BUILD_SANDBOX=off",
                 // Fleet-wide (every node sets the same): stub builds cost no CPU.
                 "SLIPWAY_MAX_BUILDS=8", "SLIPWAY_WORKERS=16",
                 // The emulator builds in 400 ms: looks at Vercel every 500 ms, not 2 s.
                 "SLIPWAY_DEPLOY_POLL_MS=500",
                 "SLIPWAY_WORK_DIR=" + home, "PATH=" + dir_ + "/bin:" + Env("PATH", "/usr/bin:/bin"),
                 "HOME=" + Env("HOME", "/root")},
                out, home + "/stderr", /*append_err=*/true);
  {
    std::lock_guard<std::mutex> lock(mu_);
    nodes_[static_cast<size_t>(i)].pid = pid;
  }
  for (int k = 0; k < 600 && Alive(pid); ++k) {
    std::string api = WordAfter(ReadAll(out), "API:");
    if (!api.empty()) {
      std::lock_guard<std::mutex> lock(mu_);
      nodes_[static_cast<size_t>(i)].port = PortOf(api);
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ADD_FAILURE() << name << " did not start; its log:\n" << ReadAll(home + "/stderr");
  return false;
}

Reply Cluster::Call(int i, const std::string& method, const std::string& path,
                    const std::string& body, std::chrono::milliseconds timeout) const {
  uint16_t port = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    port = nodes_[static_cast<size_t>(i)].port;
  }
  if (port == 0) return Reply{};
  return Request(port, method, path, token_, body, timeout);
}

Reply Cluster::CallEmulator(const std::string& method, const std::string& path,
                            const std::string& bearer) const {
  return Request(emulator_port_, method, path, bearer, "", std::chrono::seconds(30));
}

std::vector<json> Cluster::EmulatorLog() const {
  Reply r = CallEmulator("GET", "/_admin/log");
  EXPECT_EQ(r.status, 200) << r.text;
  std::vector<json> out;
  std::istringstream lines(r.text);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty()) out.push_back(json::parse(line, nullptr, false));
  }
  return out;
}

void Cluster::Kill(int i) {
  std::lock_guard<std::mutex> lock(mu_);
  Node& n = nodes_[static_cast<size_t>(i)];
  KillAndReap(n.pid);
  n.pid = -1;
  n.port = 0;
}

bool Cluster::Restart(int i) { return StartNode(i); }

void Cluster::Signal(int i, int sig) {
  std::lock_guard<std::mutex> lock(mu_);
  const pid_t pid = nodes_[static_cast<size_t>(i)].pid;
  if (pid > 0) kill(pid, sig);
}

bool Cluster::Running(int i) const {
  std::lock_guard<std::mutex> lock(mu_);
  return Alive(nodes_[static_cast<size_t>(i)].pid);
}

std::string Cluster::NodeLog(int i) const {
  return ReadAll(dir_ + "/" + NodeName(i) + "/stderr");
}

}  // namespace slipway::multinode
