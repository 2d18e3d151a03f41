#include "tools/emulator/request_log.h"

#include <nlohmann/json.hpp>

namespace slipway::emulator {

void RequestLog::Append(LogEntry entry) {
  std::lock_guard<std::mutex> lock(mu_);
  entry.seq = static_cast<int64_t>(entries_.size()) + 1;
  entries_.push_back(std::move(entry));
}

std::vector<LogEntry> RequestLog::Entries() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_;
}

int RequestLog::Count(const std::string& effect, const std::string& subject) const {
  std::lock_guard<std::mutex> lock(mu_);
  int n = 0;
  for (const LogEntry& e : entries_) {
    if (e.effect == effect && (subject.empty() || e.subject == subject)) ++n;
  }
  return n;
}

std::string RequestLog::ToJsonLines() const {
  std::string out;
  for (const LogEntry& e : Entries()) {
    nlohmann::json j = {{"seq", e.seq},       {"method", e.method}, {"path", e.path},
                        {"status", e.status}, {"effect", e.effect}, {"subject", e.subject},
                        {"fault", e.fault}, {"peer", e.peer}};
    out += j.dump() + "\n";
  }
  return out;
}

}  // namespace slipway::emulator
