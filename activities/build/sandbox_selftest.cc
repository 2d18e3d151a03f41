// activities/build/sandbox_selftest.cc: SandboxSelfTest, the probe slipwayd runs at start-up
// before it accepts to run any build in the sandbox.
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <set>
#include <sstream>

#include "activities/build/sandbox.h"
#include "activities/build/source_archive.h"

extern char** environ;

namespace slipway::activities::build {
namespace {

// One "key value" line per fact; `env NAME` once per variable the probe itself sees. `forked`
// counts the children a shell managed to start, up to $1: below $1 when the process limit holds
// (dash exits when fork fails, so the count goes through a file).
constexpr const char* kProbe =
    "echo \"uid $(id -u)\"; "
    "echo \"pid1env $(tr '\\0' '\\n' </proc/1/environ | grep -c .)\"; "
    "echo \"procs $(ls /proc | grep -c '^[0-9]')\"; "
    "echo \"ifaces $(grep -c ':' /proc/net/dev)\"; "
    "tr '\\0' '\\n' </proc/self/environ | sed -e 's/=.*//' -e 's/^/env /'; "
    "sh -c 'i=0; while [ $i -lt $0 ]; do sleep 30 & i=$((i+1)); echo $i >/tmp/forked; done' "
    "\"$1\" 2>/dev/null; read n </tmp/forked; echo \"forked $n\"";

uint64_t ForkTarget(const SandboxOptions& options) { return options.limits.processes + 16; }

std::string Fail(const std::string& what) {
  return "the build sandbox failed its self-test: " + what +
         ". Builds run tenant code only inside bubblewrap: install the Debian package "
         "`bubblewrap` (and util-linux for prlimit and setpriv)";
}

std::set<std::string> LauncherNames() {
  std::set<std::string> names;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const char* eq = strchr(*e, '=');
    if (eq != nullptr) names.insert(std::string(*e, static_cast<size_t>(eq - *e)));
  }
  return names;
}

// The variables the sandbox itself sets (--setenv NAME VALUE in the wrapped argv).
std::set<std::string> SetInside(const ProcessSpec& wrapped) {
  std::set<std::string> names = {"PWD"};  // the shell's own
  for (size_t i = 0; i + 1 < wrapped.argv.size(); ++i) {
    if (wrapped.argv[i] == "--setenv") names.insert(wrapped.argv[i + 1]);
    if (wrapped.argv[i] == "--") break;
  }
  return names;
}

Status CheckProbeOutput(const std::string& output, const ProcessSpec& wrapped,
                        const SandboxOptions& options) {
  std::map<std::string, std::string> facts;
  std::set<std::string> leaked;
  const std::set<std::string> launcher = LauncherNames();
  const std::set<std::string> ours = SetInside(wrapped);
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    size_t sp = line.find(' ');
    if (sp == std::string::npos) continue;
    std::string key = line.substr(0, sp), value = line.substr(sp + 1);
    if (key != "env") {
      facts[key] = value;
    } else if (launcher.count(value) != 0 && ours.count(value) == 0) {
      leaked.insert(value);
    }
  }
  if (facts["uid"] != "65534") return FailedPrecondition(Fail("uid inside is not 65534"));
  if (facts["pid1env"] != "0") return FailedPrecondition(Fail("pid 1 has an environment"));
  if (!leaked.empty()) {
    return FailedPrecondition(Fail("the launcher's variable " + *leaked.begin() + " is inside"));
  }
  if (facts["procs"].empty() || std::stoi(facts["procs"]) > 10) {
    return FailedPrecondition(Fail("the host's processes are visible in /proc"));
  }
  if (facts["ifaces"] != "1") return FailedPrecondition(Fail("the network is not unshared"));
  const std::string& forked = facts["forked"];
  if (forked.empty() || forked.find_first_not_of("0123456789") != std::string::npos ||
      std::stoull(forked) >= ForkTarget(options)) {
    return FailedPrecondition(Fail("the process limit does not hold (forked " + forked + ")"));
  }
  return Status::Ok();
}

}  // namespace

Status SandboxSelfTest(ProcessRunner& runner, const SandboxOptions& build_options) {
  // The probe forks up to the process limit on purpose. As the builds' own uid it would leave
  // a build running at that moment (another node's, or this one's during a restart) unable to
  // fork: RLIMIT_NPROC counts every process of a uid. So it runs as a uid of its own, below
  // host_uid and chosen by process id (two nodes starting at once do not share one either),
  // and without the npm cache (offline, and the cache stays the builds' uid's).
  SandboxOptions options = build_options;
  options.host_uid = options.host_gid =
      build_options.host_uid - 1 - static_cast<uint32_t>(getpid() % 1000);
  options.npm_cache_dir.clear();
  for (const std::string* tool : {&options.bwrap, &options.prlimit, &options.setpriv}) {
    if (access(tool->c_str(), X_OK) != 0) {
      return FailedPrecondition(Fail(*tool + " is not installed"));
    }
  }
  Result<TempDir> dir = TempDir::Create("", "slipway-sandbox-selftest-");
  if (!dir.ok()) return dir.status();
  chmod(dir->path().c_str(), 0711);
  SLIPWAY_RETURN_IF_ERROR(PrepareBuildDir(dir->path(), options));
  ProcessSpec step;
  step.argv = {"/bin/sh", "-c", kProbe, "probe", std::to_string(ForkTarget(options))};
  step.cwd = dir->path();
  step.env_add = {{"CI", "1"}};
  step.timeout_ms = 30'000;
  step.kill_grace_ms = 500;
  const ProcessSpec wrapped = WrapInSandbox(step, options, /*network=*/false);
  Result<ProcessResult> run = runner.Run(wrapped);
  if (!run.ok()) return FailedPrecondition(Fail(run.status().message()));
  if (!run->succeeded()) {
    return FailedPrecondition(Fail("the probe exited " + std::to_string(run->exit_code) + ": " +
                                   run->output.substr(0, 400)));
  }
  return CheckProbeOutput(run->output, wrapped, options);
}

}  // namespace slipway::activities::build
