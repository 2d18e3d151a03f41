// tools/bench/proc_sample.cc: see proc_sample.h.
#include "tools/bench/proc_sample.h"

#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "tests/testing/process_util.h"

namespace slipway::bench {

double StatCpuSeconds(const std::string& stat_path) {
  std::string text = test_process::ReadAll(stat_path);
  size_t paren = text.rfind(')');
  if (paren == std::string::npos) return 0;
  std::istringstream in(text.substr(paren + 2));
  std::string field;
  double utime = 0, stime = 0;
  for (int i = 3; i <= 15 && in >> field; ++i) {  // fields 14 and 15: utime, stime
    if (i == 14) utime = std::stod(field);
    if (i == 15) stime = std::stod(field);
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

ProcSample Sample(pid_t pid) {
  ProcSample s;
  const std::string dir = "/proc/" + std::to_string(pid);
  std::istringstream status(test_process::ReadAll(dir + "/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) s.rss_kib = std::stod(line.substr(6));
    if (line.rfind("VmHWM:", 0) == 0) s.hwm_kib = std::stod(line.substr(6));
  }
  s.cpu_s = StatCpuSeconds(dir + "/stat");
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator(dir + "/task", ec)) {
    std::string comm = test_process::ReadAll((task.path() / "comm").string());
    if (comm.rfind("sw-http", 0) != 0) {
      s.engine_cpu_s += StatCpuSeconds((task.path() / "stat").string());
    }
  }
  return s;
}

std::string LoadAverage() {
  std::string text = test_process::ReadAll("/proc/loadavg");
  std::istringstream in(text);
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " / " + b + " / " + c;
}

}  // namespace slipway::bench
