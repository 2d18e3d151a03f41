// tools/bench/proc_sample.h: what bench-inflight reads about a running process from /proc:
// its resident set and peak, its CPU seconds (all threads, and the HTTP threads by name), and
// the machine's load average.
#pragma once

#include <sys/types.h>

#include <string>

namespace slipway::bench {

struct ProcSample {
  double rss_kib = 0;
  double hwm_kib = 0;
  double cpu_s = 0;       // utime + stime of the whole process
  double http_cpu_s = 0;  // of the threads named sw-http*
};

// utime + stime in seconds from a /proc/.../stat file (0 when unreadable).
double StatCpuSeconds(const std::string& stat_path);
ProcSample Sample(pid_t pid);
// "1m / 5m / 15m" from /proc/loadavg.
std::string LoadAverage();

}  // namespace slipway::bench
