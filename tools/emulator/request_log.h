// tools/emulator/request_log.h: every request the emulator answered, in order, for tests.
//
// A test counts effects ("repo_created", "commit", "deployment_created", ...) to show that each
// happened once. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace slipway::emulator {

struct LogEntry {
  int64_t seq = 0;
  std::string method;
  std::string path;
  int status = 0;
  std::string effect;   // empty for reads and failed writes
  std::string subject;  // e.g. "acme/tenant-foo", "prj_..."
  std::string fault;    // set when an injected fault produced the answer
  std::string peer;     // client "ip:port": the same port means the same TCP connection
};

class RequestLog {
 public:
  void Append(LogEntry entry);
  std::vector<LogEntry> Entries() const;
  // Number of entries with this effect (and this subject, when not empty).
  int Count(const std::string& effect, const std::string& subject = "") const;
  // One JSON object per line: {"seq","method","path","status","effect","subject","fault","peer"}.
  std::string ToJsonLines() const;

 private:
  mutable std::mutex mu_;
  std::vector<LogEntry> entries_;
};

}  // namespace slipway::emulator
