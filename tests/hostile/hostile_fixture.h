// tests/hostile/hostile_fixture.h: a real `slipwayd --sandbox` process (with its in-process
// cloud emulator) for hostile-input regression tests, driven over loopback HTTP as an attacker
// would drive it.
//
// Each test file is tests/hostile/<topic>_test.cc; every such file is compiled into the one
// `hostile_test` binary (CMake globs them) and its tests run under the ctest label `hostile`.
// A test derives from HostileTest (one slipwayd per test, started lazily by server()) or
// starts its own SlipwaydProcess with extra environment (e.g. a short head deadline):
//
//   TEST_F(HostileTest, SomethingIsRefused) {
//     size_t before = server().EmulatorLog().size();
//     Reply r = server().Call("POST", "/v1/workflows", server().token("alpha"), body);
//     EXPECT_EQ(r.status, 400);
//     EXPECT_EQ(r.body["error"]["field"], "ref");
//     EXPECT_TRUE(NoRequestMatches(server().EmulatorLogSince(before), "other"));
//     server().ExpectAlive();
//   }
//
// Tokens (role -> token()): "ops" (the sandbox's own), "auditor", "approver", "alpha"
// (tenant:alpha), "beta" (tenant:beta). Tenants are not onboarded until Onboard() is called.
// The process's stdout/stderr are files in dir(); stderr holds its JSON log lines.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/testing/process_util.h"

namespace slipway::hostile {

using Reply = test_process::Reply;

class SlipwaydProcess {
 public:
  // Starts slipwayd --sandbox in a fresh temp directory with `extra_env` ("NAME=value") added
  // to a minimal environment; returns once the banner is printed. Fails the test (ADD_FAILURE)
  // and returns null when it does not come up within 60 s.
  static std::unique_ptr<SlipwaydProcess> Start(const std::vector<std::string>& extra_env = {});
  ~SlipwaydProcess();  // SIGKILL if still running; removes the directory unless a test failed

  // One request on a fresh connection. `token` empty: no Authorization header.
  Reply Call(const std::string& method, const std::string& path, const std::string& token,
             const std::string& body = "",
             std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;
  // A GitHub webhook delivery to POST /v1/webhooks/github with these headers (an empty
  // signature sends no X-Hub-Signature-256).
  Reply CallWebhook(const std::string& body, const std::string& event,
                    const std::string& delivery, const std::string& signature) const;
  // The same against the emulator (no auth; e.g. "/_admin/log").
  Reply CallEmulator(const std::string& method, const std::string& path,
                     const std::string& body = "") const;

  // The emulator's request log, one JSON object per request: seq, method, path, status,
  // effect, subject, fault, peer (see tools/emulator/request_log.h).
  std::vector<nlohmann::json> EmulatorLog() const;
  // The entries after the first `count` (count = an earlier EmulatorLog().size()).
  std::vector<nlohmann::json> EmulatorLogSince(size_t count) const;

  // Onboards a tenant as ops and waits until the onboarding completed (fails the test if not).
  void Onboard(const std::string& tenant) const;
  // Polls GET /v1/workflows/{id} (as ops) until the workflow's status is final or the time is
  // up; returns the last body.
  nlohmann::json WaitForEnd(const std::string& id,
                            std::chrono::seconds limit = std::chrono::seconds(180)) const;

  // The process has not exited, /healthz answers 200, and an ops list answers 200.
  void ExpectAlive() const;
  bool Running() const;

  const std::string& token(const std::string& who) const;
  uint16_t port() const { return port_; }
  const std::string& emulator_url() const { return emulator_url_; }
  const std::string& dir() const { return dir_; }
  pid_t pid() const { return pid_; }
  // Everything the process wrote to stderr (its JSON log) so far.
  std::string Log() const;

 private:
  SlipwaydProcess() = default;
  bool Launch(const std::vector<std::string>& extra_env);

  std::string dir_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string emulator_url_;
  std::map<std::string, std::string> tokens_;
};

// True when no entry's path contains `needle`.
bool NoRequestMatches(const std::vector<nlohmann::json>& log, const std::string& needle);

// A test with one slipwayd (default settings) of its own, started on first use.
class HostileTest : public ::testing::Test {
 protected:
  SlipwaydProcess& server();
  void TearDown() override { server_.reset(); }

 private:
  std::unique_ptr<SlipwaydProcess> server_;
};

}  // namespace slipway::hostile
