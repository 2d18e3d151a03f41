// engine/base/clock.h: the only way our code reads time.
//
// Times are milliseconds since the Unix epoch (UTC), the unit we persist. SystemClock reads the
// wall clock; FakeClock moves only when a test calls Advance/Set. Both are thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace slipway {

using TimeMs = int64_t;  // milliseconds since the Unix epoch, UTC

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimeMs NowMs() = 0;
};

class SystemClock final : public Clock {
 public:
  TimeMs NowMs() override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimeMs start = 1'767'225'600'000) : now_(start) {}  // 2026-01-01T00:00:00Z
  TimeMs NowMs() override { return now_.load(); }
  void Advance(std::chrono::milliseconds d) { now_ += d.count(); }
  void Set(TimeMs t) { now_ = t; }

 private:
  std::atomic<TimeMs> now_;
};

// RFC 3339 UTC with milliseconds, e.g. "2026-01-01T00:00:00.000Z".
std::string FormatRfc3339(TimeMs t);
// The inverse, for times a client sends: "YYYY-MM-DDTHH:MM:SS[.fraction]Z" (UTC only; at most
// 9 fraction digits, cut to milliseconds), years 1970-9999; nullopt for anything else.
std::optional<TimeMs> ParseRfc3339(const std::string& text);

}  // namespace slipway
