// tests/testing/process_util.h: what the tests that drive real processes over loopback share
// (tests/hostile, tests/multinode, tools/bench/bench_inflight): spawning one and checking it
// lives, reading a process's output file, picking a value out of
// its banner, a random token, and one HTTP request on a fresh connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <sys/types.h>
#include <vector>

namespace slipway::test_process {

struct Reply {
  int status = 0;  // 0: no answer (connection refused, reset or timed out)
  std::string text;
  nlohmann::json body;  // parsed text, discarded when not JSON
  std::map<std::string, std::string> headers;  // lower-case names
};

// The whole file ("" when it cannot be read).
std::string ReadAll(const std::string& path);
// The text after `label` up to the end of its word ("" when `label` is absent).
std::string WordAfter(const std::string& text, const std::string& label);
// `bytes` random bytes from /dev/urandom as lower-case hex.
std::string RandomHex(size_t bytes = 32);
// One request on a fresh connection; `token` empty: no Authorization. A POST, PUT or PATCH, or
// any request with a body, is sent as application/json.
Reply Request(const std::string& host, uint16_t port, const std::string& method,
              const std::string& path, const std::string& token, const std::string& body,
              std::chrono::milliseconds timeout,
              const std::map<std::string, std::string>& headers = {});

// Spawns argv[0] with exactly `env`, stdout truncated into `out` and stderr into `err`
// (appended when `append_err`, so a restarted process keeps the earlier log). -1 on failure.
pid_t Spawn(std::vector<std::string> argv, std::vector<std::string> env, const std::string& out,
            const std::string& err, bool append_err = false);
// Whether pid is a child that has not exited (reaps it when it has).
bool Alive(pid_t pid);

}  // namespace slipway::test_process
