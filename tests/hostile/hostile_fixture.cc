// tests/hostile/hostile_fixture.cc: starting, calling and checking a real slipwayd --sandbox.
#include "tests/hostile/hostile_fixture.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "engine/base/sha256.h"

namespace slipway::hostile {

using nlohmann::json;

using test_process::ReadAll;
using test_process::RandomHex;
using test_process::Request;
using test_process::WordAfter;

std::unique_ptr<SlipwaydProcess> SlipwaydProcess::Start(const std::vector<std::string>& extra_env) {
  std::unique_ptr<SlipwaydProcess> p(new SlipwaydProcess());
  if (!p->Launch(extra_env)) return nullptr;
  return p;
}

bool SlipwaydProcess::Launch(const std::vector<std::string>& extra_env) {
  char tmpl[] = "/tmp/slipway-hostile-XXXXXX";
  dir_ = mkdtemp(tmpl);
  // Tokens of every role; the sandbox adds its own ops token, printed in the banner.
  json entries = json::array();
  for (const auto& [who, role] : std::vector<std::pair<std::string, std::string>>{
           {"auditor", "auditor"}, {"approver", "approver"}, {"alpha", "tenant:alpha"},
           {"beta", "tenant:beta"}}) {
    tokens_[who] = RandomHex(24);
    entries.push_back({{"name", who + "-token"}, {"role", role},
                       {"token_sha256", Sha256Hex(tokens_[who])}});
  }
  std::ofstream(dir_ + "/tokens.json") << entries.dump();

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, (dir_ + "/stdout").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, (dir_ + "/stderr").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<std::string> env = {"SLIPWAY_LISTEN=127.0.0.1:0",
                                  "SLIPWAY_TOKENS=" + dir_ + "/tokens.json",
                                  // Real Lighthouse runs are browser_test's (15-40 s each).
                                  "SLIPWAY_LIGHTHOUSE=off",
                                  "PATH=" + std::string(getenv("PATH") ? getenv("PATH") : ""),
                                  "HOME=" + std::string(getenv("HOME") ? getenv("HOME") : "/root")};
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string bin = SLIPWAYD_PATH, state = dir_ + "/state";
  std::vector<char*> argv = {bin.data(), const_cast<char*>("--sandbox"),
                             const_cast<char*>("--state-dir"), state.data(), nullptr};
  int rc = posix_spawn(&pid_, bin.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    ADD_FAILURE() << "cannot spawn " << bin;
    return false;
  }
  for (int i = 0; i < 600 && Running(); ++i) {
    std::string out = ReadAll(dir_ + "/stdout");
    std::string api = WordAfter(out, "API:"), emu = WordAfter(out, "emulator:"),
                ops = WordAfter(out, "ops token:");
    if (!api.empty() && !emu.empty() && ops.size() == 64) {
      port_ = static_cast<uint16_t>(std::stoi(api.substr(api.rfind(':') + 1)));
      emulator_url_ = emu;
      tokens_["ops"] = ops;
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ADD_FAILURE() << "slipwayd printed no banner; stderr:\n" << Log();
  return false;
}

SlipwaydProcess::~SlipwaydProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (!::testing::Test::HasFailure() && !dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

bool SlipwaydProcess::Running() const {
  if (pid_ <= 0) return false;
  int status = 0;
  return waitpid(pid_, &status, WNOHANG) == 0;
}

Reply SlipwaydProcess::Call(const std::string& method, const std::string& path,
                            const std::string& token, const std::string& body,
                            std::chrono::milliseconds timeout) const {
  return Request("127.0.0.1", port_, method, path, token, body, timeout);
}

Reply SlipwaydProcess::CallWebhook(const std::string& body, const std::string& event,
                                   const std::string& delivery,
                                   const std::string& signature) const {
  std::map<std::string, std::string> headers = {{"X-GitHub-Event", event},
                                                {"X-GitHub-Delivery", delivery},
                                                {"User-Agent", "GitHub-Hookshot/hostile"}};
  if (!signature.empty()) headers["X-Hub-Signature-256"] = signature;
  return Request("127.0.0.1", port_, "POST", "/v1/webhooks/github", "", body,
                 std::chrono::seconds(30), headers);
}

Reply SlipwaydProcess::CallEmulator(const std::string& method, const std::string& path,
                                    const std::string& body) const {
  // emulator_url_ is "http://127.0.0.1:<port>".
  uint16_t port = static_cast<uint16_t>(std::stoi(emulator_url_.substr(emulator_url_.rfind(':') + 1)));
  return Request("127.0.0.1", port, method, path, "", body, std::chrono::seconds(30));
}

std::vector<json> SlipwaydProcess::EmulatorLog() const {
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

std::vector<json> SlipwaydProcess::EmulatorLogSince(size_t count) const {
  std::vector<json> all = EmulatorLog();
  if (count >= all.size()) return {};
  return std::vector<json>(all.begin() + static_cast<std::ptrdiff_t>(count), all.end());
}

json SlipwaydProcess::WaitForEnd(const std::string& id, std::chrono::seconds limit) const {
  auto deadline = std::chrono::steady_clock::now() + limit;
  json last;
  while (std::chrono::steady_clock::now() < deadline) {
    Reply r = Call("GET", "/v1/workflows/" + id + "?wait=5", token("ops"));
    last = r.body;
    std::string status = r.body.is_object() ? r.body.value("status", "") : "";
    if (status == "completed" || status == "failed" || status == "cancelled") return last;
    if (r.status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return last;
}

void SlipwaydProcess::Onboard(const std::string& tenant) const {
  json start = {{"type", "onboarding"}, {"tenant", tenant},
                {"input", {{"email", tenant + "@example.com"}}}};
  Reply r = Call("POST", "/v1/workflows", token("ops"), start.dump());
  ASSERT_TRUE(r.status == 201 || r.status == 200) << r.text;
  json end = WaitForEnd(r.body.value("id", ""));
  ASSERT_EQ(end.value("status", ""), "completed") << end.dump();
}

void SlipwaydProcess::ExpectAlive() const {
  EXPECT_TRUE(Running()) << "slipwayd exited; its log:\n" << Log();
  Reply health = Call("GET", "/healthz", "");
  EXPECT_EQ(health.status, 200) << health.text;
  Reply list = Call("GET", "/v1/workflows?limit=1", token("ops"));
  EXPECT_EQ(list.status, 200) << list.text;
}

const std::string& SlipwaydProcess::token(const std::string& who) const {
  auto it = tokens_.find(who);
  if (it == tokens_.end()) {
    static const std::string kNone;
    ADD_FAILURE() << "no token for " << who;
    return kNone;
  }
  return it->second;
}

std::string SlipwaydProcess::Log() const { return ReadAll(dir_ + "/stderr"); }

bool NoRequestMatches(const std::vector<json>& log, const std::string& needle) {
  for (const json& e : log) {
    if (e.is_object() && e.value("path", "").find(needle) != std::string::npos) return false;
  }
  return true;
}

SlipwaydProcess& HostileTest::server() {
  if (!server_) server_ = SlipwaydProcess::Start();
  if (!server_) throw std::runtime_error("slipwayd did not start");
  return *server_;
}

}  // namespace slipway::hostile
