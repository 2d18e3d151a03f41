// activities/build/process_runner.cc: posix_spawn, a poll loop over the output pipes, and the
// process-group kill sequence.
#include "activities/build/process_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

extern char** environ;

namespace slipway::activities::build {
namespace {

constexpr int64_t kDrainAfterExitMs = 2000;  // bound on reading pipes held by escaped processes

struct Pipe {
  int r = -1;
  int w = -1;
};

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

Status OpenPipe(Pipe& p) {
  int fds[2];
  // O_CLOEXEC: a child spawned concurrently by another thread must not inherit our pipe, or
  // our reader would never see EOF.
  if (pipe2(fds, O_CLOEXEC) != 0) return Internal(std::string("pipe2: ") + strerror(errno));
  p.r = fds[0];
  p.w = fds[1];
  fcntl(p.r, F_SETFL, fcntl(p.r, F_GETFL) | O_NONBLOCK);
  return Status::Ok();
}

std::vector<std::string> BuildEnv(const ProcessSpec& spec) {
  std::map<std::string, std::string> env;
  if (spec.inherit_env) {
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
      const char* eq = strchr(*e, '=');
      if (eq != nullptr) env[std::string(*e, static_cast<size_t>(eq - *e))] = std::string(eq + 1);
    }
  }
  for (const auto& [k, v] : spec.env_add) env[k] = v;
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// The child starts with default dispositions and an empty mask even if the engine ignores
// SIGPIPE or blocks signals for its worker threads (ignored dispositions survive exec).
void ResetSignals(posix_spawnattr_t& attr) {
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int sig : {SIGPIPE, SIGINT, SIGQUIT, SIGHUP, SIGTERM, SIGCHLD, SIGTSTP, SIGTTIN, SIGTTOU,
                  SIGUSR1, SIGUSR2, SIGALRM}) {
    sigaddset(&defaults, sig);
  }
  posix_spawnattr_setsigdefault(&attr, &defaults);
}

Result<pid_t> Spawn(const ProcessSpec& spec, const Pipe& out, const Pipe& err) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out.w, 1);
  posix_spawn_file_actions_adddup2(&actions, spec.merge_stderr ? out.w : err.w, 2);
  if (!spec.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, spec.cwd.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                      POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr, 0);  // the child leads a new group whose id is its pid
  ResetSignals(attr);

  std::vector<std::string> args = spec.argv;
  std::vector<std::string> env = BuildEnv(spec);
  std::vector<char*> argv = CStrings(args);
  std::vector<char*> envp = CStrings(env);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc == ENOENT || rc == EACCES) {
    return Status(Code::kNotFound, "cannot execute '" + spec.argv[0] + "': " + strerror(rc));
  }
  if (rc != 0) return Internal("posix_spawn '" + spec.argv[0] + "': " + strerror(rc));
  return pid;
}

// One run's mutable state: the pipes, the captures and where the kill sequence stands.
class Supervisor {
 public:
  Supervisor(const ProcessSpec& spec, Clock& clock, pid_t pid, Pipe& out, Pipe& err)
      : spec_(spec), clock_(clock), pid_(pid), out_fd_(out.r), err_fd_(err.r),
        out_buf_(spec.output_cap), err_buf_(spec.output_cap) {
    out.r = -1;
    err.r = -1;
  }
  ~Supervisor() {
    CloseFd(out_fd_);
    CloseFd(err_fd_);
  }

  Result<ProcessResult> Wait() {
    start_ms_ = clock_.NowMs();
    while (!LeaderExited()) {
      PollOnce(NextWakeMs());
      Escalate();
    }
    kill(-pid_, SIGKILL);  // whatever the leader left behind in its group
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0) {
      if (errno != EINTR) return Internal(std::string("waitpid: ") + strerror(errno));
    }
    Drain();
    return Finish(status);
  }

 private:
  bool LeaderExited() {
    siginfo_t info;
    memset(&info, 0, sizeof(info));
    // WNOWAIT leaves the leader a zombie, so its pid (the group id) cannot be reused while we
    // still signal the group.
    if (waitid(P_PID, pid_, &info, WEXITED | WNOHANG | WNOWAIT) != 0) return errno != EINTR;
    return info.si_pid == pid_;
  }

  int NextWakeMs() {
    int64_t now = clock_.NowMs();
    int64_t wake = spec_.poll_interval_ms;
    if (phase_ == kRunning) wake = std::min(wake, start_ms_ + spec_.timeout_ms - now);
    if (phase_ == kTerminating) wake = std::min(wake, term_ms_ + spec_.kill_grace_ms - now);
    return static_cast<int>(std::max<int64_t>(wake, 1));
  }

  void PollOnce(int timeout_ms) {
    pollfd fds[2];
    int n = 0;
    if (out_fd_ >= 0) fds[n++] = {out_fd_, POLLIN, 0};
    if (err_fd_ >= 0) fds[n++] = {err_fd_, POLLIN, 0};
    if (poll(n > 0 ? fds : nullptr, n, timeout_ms) <= 0) return;
    for (int i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == out_fd_) ReadFrom(out_fd_, out_buf_);
      else ReadFrom(err_fd_, err_buf_);
    }
  }

  static void ReadFrom(int& fd, HeadTailBuffer& buf) {
    char chunk[65536];
    for (;;) {
      ssize_t n = read(fd, chunk, sizeof(chunk));
      if (n > 0) {
        buf.Append(chunk, static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      CloseFd(fd);  // EOF or a real error: nothing more will come
      return;
    }
  }

  void Escalate() {
    int64_t now = clock_.NowMs();
    if (phase_ == kRunning) {
      if (now - start_ms_ >= spec_.timeout_ms) {
        timed_out_ = true;
      } else if (spec_.cancelled && now - last_cancel_check_ms_ >= spec_.poll_interval_ms) {
        last_cancel_check_ms_ = now;
        cancelled_ = spec_.cancelled();
      }
      if (timed_out_ || cancelled_) {
        kill(-pid_, SIGTERM);
        phase_ = kTerminating;
        term_ms_ = now;
      }
    } else if (phase_ == kTerminating && now - term_ms_ >= spec_.kill_grace_ms) {
      kill(-pid_, SIGKILL);
      phase_ = kKilled;
    }
  }

  // The group is dead, so the pipes reach EOF at once unless a process escaped the group.
  void Drain() {
    int64_t until = clock_.NowMs() + kDrainAfterExitMs;
    while ((out_fd_ >= 0 || err_fd_ >= 0) && clock_.NowMs() < until) PollOnce(50);
  }

  ProcessResult Finish(int status) {
    ProcessResult r;
    if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) r.term_signal = WTERMSIG(status);
    r.timed_out = timed_out_;
    r.cancelled = cancelled_;
    r.truncated = out_buf_.truncated() || err_buf_.truncated();
    r.output = out_buf_.Take();
    r.error_output = err_buf_.Take();
    r.duration_ms = clock_.NowMs() - start_ms_;
    return r;
  }

  enum Phase { kRunning, kTerminating, kKilled };
  const ProcessSpec& spec_;
  Clock& clock_;
  pid_t pid_;
  int out_fd_;
  int err_fd_;
  HeadTailBuffer out_buf_;
  HeadTailBuffer err_buf_;
  Phase phase_ = kRunning;
  int64_t start_ms_ = 0;
  int64_t term_ms_ = 0;
  int64_t last_cancel_check_ms_ = 0;
  bool timed_out_ = false;
  bool cancelled_ = false;
};

}  // namespace

Result<ProcessResult> PosixProcessRunner::Run(const ProcessSpec& spec) {
  if (spec.argv.empty() || spec.argv[0].empty()) return InvalidArgument("argv", "empty command");
  struct stat st;
  if (!spec.cwd.empty() && (stat(spec.cwd.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))) {
    return NotFound("working directory does not exist: " + spec.cwd);
  }
  Pipe out, err;
  SLIPWAY_RETURN_IF_ERROR(OpenPipe(out));
  Status err_pipe = spec.merge_stderr ? Status::Ok() : OpenPipe(err);
  if (!err_pipe.ok()) {
    CloseFd(out.r);
    CloseFd(out.w);
    return err_pipe;
  }
  Result<pid_t> pid = Spawn(spec, out, err);
  // Our copies of the write ends must go, or the reads never see EOF.
  CloseFd(out.w);
  CloseFd(err.w);
  if (!pid.ok()) {
    CloseFd(out.r);
    CloseFd(err.r);
    return pid.status();
  }
  Supervisor supervisor(spec, clock_, *pid, out, err);
  return supervisor.Wait();
}

HeadTailBuffer::HeadTailBuffer(size_t cap) : head_cap_(cap - cap / 2), tail_cap_(cap / 2) {}

void HeadTailBuffer::Append(const char* data, size_t n) {
  size_t to_head = std::min(n, head_cap_ - head_.size());
  head_.append(data, to_head);
  data += to_head;
  n -= to_head;
  if (n == 0 || tail_cap_ == 0) {
    dropped_ += n;
    return;
  }
  if (n >= tail_cap_) {  // the new bytes alone fill the tail
    dropped_ += tail_.size() + (n - tail_cap_);
    tail_.assign(data + (n - tail_cap_), tail_cap_);
    tail_start_ = 0;
    return;
  }
  for (size_t i = 0; i < n; ++i) {
    if (tail_.size() < tail_cap_) {
      tail_.push_back(data[i]);
    } else {
      tail_[tail_start_] = data[i];
      tail_start_ = (tail_start_ + 1) % tail_cap_;
      ++dropped_;
    }
  }
}

std::string HeadTailBuffer::Take() const {
  std::string out = head_;
  if (dropped_ > 0) {
    out += "\n[... " + std::to_string(dropped_) + " bytes omitted ...]\n";
  }
  out.append(tail_, tail_start_, std::string::npos);
  out.append(tail_, 0, tail_start_);
  return out;
}

}  // namespace slipway::activities::build
