// activities/build/process_runner.h: runs one command as a child process in its own process
// group, captures its output under a cap, and kills the whole group on timeout or cancellation.
//
// ProcessRunner is the seam the build validator runs npm, tsc, eslint and tar through, so a test
// can count or script invocations. PosixProcessRunner is the real one (posix_spawn with
// POSIX_SPAWN_SETPGROUP). No shell is involved unless the caller puts one in argv itself
// (e.g. {"sh", "-c", fixed_script}); never build a shell string from outside input.
//
// Lifetime of the group: when the leader exits, or the timeout / cancellation fires, every process
// still in the group is killed (SIGTERM, then SIGKILL after kill_grace_ms), so a background
// process a build script leaves behind does not outlive the run. A descendant that calls setsid()
// or setpgid() escapes the group and is not tracked (that would need a cgroup).
//
// Thread-safety: PosixProcessRunner is stateless apart from its Clock; Run() may be called from
// several threads at once. Each Run blocks its caller until the child is reaped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "engine/base/clock.h"
#include "engine/base/status.h"

namespace slipway::activities::build {

inline constexpr size_t kDefaultOutputCap = 1 << 20;  // 1 MiB per captured stream

struct ProcessSpec {
  std::vector<std::string> argv;  // argv[0] is looked up in PATH when it has no '/'
  std::string cwd;                // empty: the caller's working directory
  // The child's environment: the parent's (when inherit_env) plus env_add, which wins.
  bool inherit_env = true;
  std::map<std::string, std::string> env_add;
  bool merge_stderr = true;  // stderr goes to the same capture as stdout
  int64_t timeout_ms = 5 * 60 * 1000;
  int64_t kill_grace_ms = 2000;  // SIGTERM to SIGKILL
  size_t output_cap = kDefaultOutputCap;  // bytes kept per stream: the head half and the tail half
  // Polled about every poll_interval_ms while the child runs; true kills the group.
  std::function<bool()> cancelled;
  int64_t poll_interval_ms = 50;
};

struct ProcessResult {
  int exit_code = -1;   // -1 when killed by a signal
  int term_signal = 0;  // the signal that ended the leader, 0 when it exited
  bool timed_out = false;
  bool cancelled = false;
  std::string output;        // stdout, or stdout+stderr when merged; see truncated
  std::string error_output;  // stderr when not merged
  bool truncated = false;    // some bytes in the middle of a stream were dropped
  int64_t duration_ms = 0;

  bool succeeded() const { return exit_code == 0 && !timed_out && !cancelled; }
};

class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;
  // Runs spec to completion. A non-zero exit, a timeout or a cancellation is a ProcessResult,
  // not an error. Errors: kInvalidArgument (empty argv), kNotFound (program or cwd missing),
  // kInternal (pipe/spawn/wait failures).
  virtual Result<ProcessResult> Run(const ProcessSpec& spec) = 0;
};

class PosixProcessRunner final : public ProcessRunner {
 public:
  explicit PosixProcessRunner(Clock& clock) : clock_(clock) {}
  Result<ProcessResult> Run(const ProcessSpec& spec) override;

 private:
  Clock& clock_;
};

// Keeps the first and the last cap/2 bytes of a stream and counts what was dropped between.
class HeadTailBuffer {
 public:
  explicit HeadTailBuffer(size_t cap);
  void Append(const char* data, size_t n);
  bool truncated() const { return dropped_ > 0; }
  // Head, a "[... N bytes omitted ...]" marker line when truncated, then the tail.
  std::string Take() const;

 private:
  size_t head_cap_;
  size_t tail_cap_;
  std::string head_;
  std::string tail_;  // ring buffer once full; tail_start_ is its oldest byte
  size_t tail_start_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace slipway::activities::build
