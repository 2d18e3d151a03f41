// tools/slipwayd/log.h: structured one-line JSON logs on stderr. Thread-safe. Callers never
// pass secrets; messages go through RedactText anyway.
#pragma once

#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/base/clock.h"
#include "engine/base/redact.h"

namespace slipway::server {

inline void Log(const char* level, const std::string& msg,
                nlohmann::json fields = nlohmann::json::object()) {
  static std::mutex mu;
  SystemClock clock;
  nlohmann::json line = {{"ts", FormatRfc3339(clock.NowMs())}, {"level", level},
                         {"msg", RedactText(msg)}};
  line.update(RedactJson(fields));
  std::lock_guard<std::mutex> lock(mu);
  std::cerr << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
}

}  // namespace slipway::server
