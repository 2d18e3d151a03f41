// tools/bench/proc_sample.h: what bench-inflight reads about a running process from /proc:
// its resident set and peak, its CPU seconds (all threads, and the engine's: every thread not
// named sw-http*), and the machine's load average.
#pragma once

#include <sys/types.h>

#include <string>

namespace slipway::bench {

struct ProcSample {
  double rss_kib = 0;
  double hwm_kib = 0;
  double cpu_s = 0;       // utime + stime of the whole process
  // Of the live threads not named sw-http*. The engine's threads live as long as the process;
  // the HTTP server's pool ends idle threads, whose CPU then counts in cpu_s only, so the
  // HTTP share is cpu_s - engine_cpu_s (summing live sw-http* threads went negative).
  double engine_cpu_s = 0;
};

// utime + stime in seconds from a /proc/.../stat file (0 when unreadable).
double StatCpuSeconds(const std::string& stat_path);
ProcSample Sample(pid_t pid);
// "1m / 5m / 15m" from /proc/loadavg.
std::string LoadAverage();

}  // namespace slipway::bench
