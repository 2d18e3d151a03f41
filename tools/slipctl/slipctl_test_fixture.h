// tools/slipctl/slipctl_test_fixture.h: runs the real slipctl binary as a subprocess against an
// in-process HttpApi + Engine on a SqliteStore in a temp dir (http/http_test_fixture.h), whose
// tokens file is made by `slipctl token new` (ops "alice", auditor "bob", tenant:client1 and
// tenant:client2 editors). The test thread drives the engine with RunDue() between calls.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "http/http_test_fixture.h"

extern char** environ;

namespace slipway::slipctl::testing {

struct CtlRun {
  int code = -1;  // exit code; -1 if killed or not run
  std::string out;
  std::string err;
  std::vector<std::string> lines() const {
    std::vector<std::string> v;
    std::stringstream in(out);
    for (std::string l; std::getline(in, l);) v.push_back(l);
    return v;
  }
};

// Environment for the child: ours without SLIPWAY_*, plus the given pairs.
inline std::vector<std::string> ChildEnv(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::string(*e).compare(0, 8, "SLIPWAY_") != 0) env.push_back(*e);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

// Reads both pipes until they close or `timeout` passes (then the child is killed).
inline void Drain(int out_fd, int err_fd, pid_t pid, std::chrono::seconds timeout, CtlRun& r) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  std::string* sinks[2] = {&r.out, &r.err};
  int open = 2;
  while (open > 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      ADD_FAILURE() << "slipctl timed out; output so far:\n" << r.out << r.err;
      break;
    }
    if (poll(fds, 2, 200) < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      char buf[4096];
      ssize_t n = read(fds[i].fd, buf, sizeof(buf));
      if (n > 0) {
        sinks[i]->append(buf, static_cast<size_t>(n));
      } else {
        fds[i].fd = -1;
        --open;
      }
    }
  }
}

// Runs slipctl with `args`; SLIPWAY_URL and SLIPWAY_TOKEN come from `env`.
inline CtlRun RunSlipctl(const std::vector<std::string>& args, const std::vector<std::string>& env,
                         std::chrono::seconds timeout = std::chrono::seconds(60)) {
  std::vector<std::string> argv_s = {SLIPCTL_BINARY};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_s = ChildEnv(env);
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);
  int out[2], err[2];
  CtlRun r;
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) return r;
  pid_t pid = fork();
  if (pid == 0) {  // only async-signal-safe calls until exec
    dup2(out[1], 1);
    dup2(err[1], 2);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  Drain(out[0], err[0], pid, timeout, r);
  close(out[0]);
  close(err[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// Runs slipctl with a pseudo-terminal as its stdin/stdout/stderr; r.out holds what it wrote.
inline CtlRun RunSlipctlInPty(const std::vector<std::string>& args,
                              const std::vector<std::string>& env) {
  std::vector<std::string> argv_s = {SLIPCTL_BINARY};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_s = ChildEnv(env);
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);
  CtlRun r;
  int master = -1;
  pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  if (pid < 0) return r;
  if (pid == 0) {
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);  // a closed second stream
  Drain(master, devnull, pid, std::chrono::seconds(60), r);
  close(devnull);
  close(master);
  int status = 0;
  waitpid(pid, &status, 0);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class SlipctlFixture : public http::testing::HttpFixture {
 protected:
  void SetUp() override {
    HttpFixture::SetUp();
    if (HasFatalFailure()) return;
    nlohmann::json entries = nlohmann::json::array();
    ops_ = NewToken("ops", "alice", entries);
    auditor_ = NewToken("auditor", "bob", entries);
    client1_ = NewToken("tenant:client1", "client1-editor", entries);
    client2_ = NewToken("tenant:client2", "client2-editor", entries);
    const std::string path = dir_ + "/tokens.json";
    std::ofstream(path) << entries.dump(2);
    api_.reset();  // the server borrows tokens_: stop it before replacing them
    auto loaded = http::TokenStore::LoadFile(path);
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    tokens_ = *loaded;
    http::HttpApiOptions o;
    o.port = 0;
    o.failpoints = &failpoints_;
    StartApi(o);
  }

  // `slipctl token new`; appends its entry to `entries`, returns the token.
  std::string NewToken(const std::string& role, const std::string& name, nlohmann::json& entries) {
    CtlRun r = RunSlipctl({"token", "new", "--role", role, "--name", name}, {});
    EXPECT_EQ(r.code, 0) << r.err;
    auto lines = r.lines();
    EXPECT_EQ(lines.size(), 2u) << r.out;
    if (lines.size() != 2) return "";
    entries.push_back(nlohmann::json::parse(lines[1]));
    return lines[0];
  }

  // The workflow as the engine has it (HttpFixture::Get is an HTTP GET).
  engine::Workflow Wf(const std::string& id) { return EngineFixture::Get(id); }

  std::string Url() const { return "http://127.0.0.1:" + std::to_string(api_->port()); }
  // slipctl against this server with `token` in SLIPWAY_TOKEN (ops by default).
  CtlRun Ctl(const std::vector<std::string>& args, const std::string& token = "") {
    return RunSlipctl(args,
                      {"SLIPWAY_URL=" + Url(), "SLIPWAY_TOKEN=" + (token.empty() ? ops_ : token)});
  }

  std::string ops_, auditor_, client1_, client2_;
};

}  // namespace slipway::slipctl::testing
