// tools/bench/bench_util.h: measuring helpers shared by the benchmarks (header-only).
//
// Process and per-thread CPU time, a percentile, and removing a benchmark's SQLite files.
// CPU per unit of work is the figure that noise on a shared machine disturbs least.
#pragma once

#include <sys/resource.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace slipway::bench {

// User + system CPU seconds of this whole process so far.
inline double ProcessCpuSeconds() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// Seconds the threads whose name starts with `prefix` (the engine names its threads
// sw-commit, sw-dispatch, sw-worker, sw-walckpt) spent on a CPU and runnable but waiting for
// one, from the kernel's scheduler statistics (/proc/self/task/*/schedstat).
struct ThreadTimes {
  double on_cpu = 0;
  double waiting = 0;
};

inline ThreadTimes SumThreadTimes(const std::string& prefix) {
  ThreadTimes total;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm_file(task.path() / "comm");
    std::string comm;
    std::getline(comm_file, comm);
    if (comm.rfind(prefix, 0) != 0) continue;
    std::ifstream sched(task.path() / "schedstat");
    double on_cpu_ns = 0, waiting_ns = 0;
    if (sched >> on_cpu_ns >> waiting_ns) {
      total.on_cpu += on_cpu_ns / 1e9;
      total.waiting += waiting_ns / 1e9;
    }
  }
  return total;
}

// The p-quantile (0..1) of `sorted`, which must be sorted ascending; 0 when empty.
inline double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t i = std::min(sorted.size() - 1, static_cast<size_t>(p * static_cast<double>(sorted.size())));
  return sorted[i];
}

// Removes a benchmark's database file and its WAL companions.
inline void RemoveDatabase(const std::string& path) {
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
}

}  // namespace slipway::bench
