// activities/build/sandbox.h: the bubblewrap sandbox every build step of a tenant site runs in.
//
// Owns the translation of one build step (a ProcessSpec: argv, the build directory as cwd, the
// step's environment) into the command that runs it confined:
//
//   prlimit --as --cpu --nproc --fsize --nofile --core=0 --        resource limits (rlimits)
//   [setpriv --reuid U --regid G --clear-groups --]                 only when the daemon is root
//   bwrap --unshare-user/pid/ipc/uts/cgroup-try [--unshare-net] --die-with-parent --new-session
//         --uid 65534 --gid 65534 --ro-bind /usr ... --proc /proc --dev /dev --tmpfs /tmp
//         --bind DIR DIR [--bind NPM_CACHE /npm-cache] --clearenv --setenv ... -- argv
//
// Why these pieces:
// - The runner uses posix_spawn, which cannot set rlimits; `prlimit` (util-linux) sets them and
//   execs, so the limits hold for bwrap and everything under it without a fork/exec path (and its
//   async-signal-safety rules) in a multi-threaded daemon.
// - RLIMIT_NPROC is not enforced for processes whose real uid is host root, even inside a user
//   namespace where they look like uid 65534. So a root daemon drops to a dedicated host uid
//   (`setpriv`) before bwrap: then the process limit counts the sandbox's processes only. That uid
//   must be able to reach the build directory: every parent must be searchable by others
//   (PrepareBuildDir checks it and hands the tree to that uid).
// - bwrap starts with an EMPTY environment (the sandbox's pid 1 keeps the environment bwrap was
//   exec'd with); the step's variables are passed with --clearenv/--setenv only.
// - Only /usr (node, npm, the C library), a few /etc files for DNS and TLS, the build directory
//   and, for the install step only, the npm cache are visible. The host's /proc, the database,
//   the daemon's home and other builds' directories are not. Tenant code never has network:
//   only the install step (npm itself, run with --ignore-scripts) shares the host's network.
// - Nothing outlives a step: bwrap's child is pid 1 of a new pid namespace and dies with bwrap
//   (--die-with-parent), which takes every process in the namespace with it, setsid() or not.
//
// Pure functions apart from PrepareBuildDir (chown) and SelfTest (runs bwrap); thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "activities/build/process_runner.h"
#include "engine/base/status.h"

namespace slipway::activities::build {

struct SandboxLimits {
  uint64_t address_space_bytes = 4ull << 30;  // RLIMIT_AS; node reserves a lot of address space
  int node_heap_mb = 2048;                    // NODE_OPTIONS=--max-old-space-size, below the AS
  uint64_t cpu_seconds = 600;                 // RLIMIT_CPU, per process
  uint64_t processes = 256;                   // RLIMIT_NPROC, threads included
  uint64_t file_size_bytes = 1ull << 30;      // RLIMIT_FSIZE: no single file bigger
  uint64_t open_files = 4096;                 // RLIMIT_NOFILE
  uint64_t tmp_bytes = 512ull << 20;          // size of the private /tmp (tmpfs)
};

struct SandboxOptions {
  std::string bwrap = "/usr/bin/bwrap";
  std::string prlimit = "/usr/bin/prlimit";
  std::string setpriv = "/usr/bin/setpriv";
  // The host uid/gid the sandbox runs as when the daemon is root (no account needed). Pick one
  // that nothing else uses: RLIMIT_NPROC counts every process of this uid (so builds running at
  // the same time share limits.processes). The self-test probes as uids just below it.
  uint32_t host_uid = 64999;
  uint32_t host_gid = 64999;
  // npm's cache, bound read-write for the install step only (created on first use). Required.
  std::string npm_cache_dir;
  // Extra read-only binds (same path inside), e.g. a node installed under /opt.
  std::vector<std::string> extra_ro_binds;
  SandboxLimits limits;
};

// The spec that runs `step` inside the sandbox. `step.cwd` is the build directory (bound
// read-write at the same path); `step.env_add` is the whole environment inside, except PATH,
// HOME, TMPDIR and NODE_OPTIONS, which the sandbox sets. `network` shares the host's network
// (the install step only). The result has inherit_env == false and an empty env_add.
ProcessSpec WrapInSandbox(const ProcessSpec& step, const SandboxOptions& options, bool network);

// Makes `dir` usable from the sandbox: when the daemon is root, hands the tree (and the npm
// cache) to options.host_uid, after checking every parent of `dir` is searchable by others.
// Errors: kFailedPrecondition naming the directory that blocks, kInternal.
Status PrepareBuildDir(const std::string& dir, const SandboxOptions& options);

// Runs a probe through `runner` in the sandbox (as a uid of its own below options.host_uid, so
// that its fork-to-the-limit never starves a running build), with `probe_secret` planted in the launcher's
// environment (tests put it in the process environment themselves; empty: none checked): the
// uid inside is 65534, the environment of pid 1 and of the probe holds no launcher variable, the
// host's /proc is not visible, the network is unshared, and the process limit is in force.
// Errors: kFailedPrecondition with a message that names the package `bubblewrap` (and
// util-linux for prlimit/setpriv) and what failed.
Status SandboxSelfTest(ProcessRunner& runner, const SandboxOptions& options);

}  // namespace slipway::activities::build
