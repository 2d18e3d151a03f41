// activities/build/sandbox.cc: the bwrap command line, the build directory hand-over and the
// start-up self-test.
#include "activities/build/sandbox.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <map>

namespace slipway::activities::build {
namespace fs = std::filesystem;

namespace {

constexpr const char* kSandboxUid = "65534";  // nobody, inside the user namespace
constexpr const char* kNpmCacheInside = "/npm-cache";

// The few /etc files npm and node read: DNS, TLS roots, name service order.
constexpr const char* kEtcFiles[] = {"/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf",
                                     "/etc/ssl", "/etc/ca-certificates", "/etc/localtime"};

void Add(std::vector<std::string>& argv, std::initializer_list<std::string> items) {
  argv.insert(argv.end(), items);
}

void AddLimits(std::vector<std::string>& argv, const SandboxOptions& o) {
  const SandboxLimits& l = o.limits;
  Add(argv, {o.prlimit, "--as=" + std::to_string(l.address_space_bytes),
             "--cpu=" + std::to_string(l.cpu_seconds), "--nproc=" + std::to_string(l.processes),
             "--fsize=" + std::to_string(l.file_size_bytes),
             "--nofile=" + std::to_string(l.open_files), "--core=0", "--"});
}

void AddFilesystem(std::vector<std::string>& argv, const ProcessSpec& step,
                   const SandboxOptions& o, bool network) {
  Add(argv, {"--ro-bind", "/usr", "/usr", "--symlink", "usr/lib", "/lib", "--symlink",
             "usr/lib64", "/lib64", "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin",
             "/sbin"});
  for (const char* etc : kEtcFiles) Add(argv, {"--ro-bind-try", etc, etc});
  for (const std::string& extra : o.extra_ro_binds) Add(argv, {"--ro-bind", extra, extra});
  Add(argv, {"--proc", "/proc", "--dev", "/dev", "--size", std::to_string(o.limits.tmp_bytes),
             "--tmpfs", "/tmp"});
  Add(argv, {"--bind", step.cwd, step.cwd, "--chdir", step.cwd});
  if (network) {
    Add(argv, {"--bind", o.npm_cache_dir, kNpmCacheInside});
    // The tenant's .npmrc could point npm's registry or proxy at a host of its choice.
    std::error_code ec;
    const std::string npmrc = (fs::path(step.cwd) / ".npmrc").string();
    if (fs::exists(fs::symlink_status(npmrc, ec))) Add(argv, {"--ro-bind", "/dev/null", npmrc});
  }
  // The root (bwrap's own tmpfs: /etc, /home, the mount points) becomes read-only; /tmp and
  // the build directory stay writable.
  Add(argv, {"--remount-ro", "/"});
}

void AddEnvironment(std::vector<std::string>& argv, const ProcessSpec& step,
                    const SandboxOptions& o, bool network) {
  std::map<std::string, std::string> env = step.env_add;
  env["PATH"] = "/usr/local/bin:/usr/bin:/bin";
  env["HOME"] = "/tmp/home";
  env["TMPDIR"] = "/tmp";
  env["NODE_OPTIONS"] = "--max-old-space-size=" + std::to_string(o.limits.node_heap_mb);
  // glibc makes a 64 MiB malloc arena per contended thread: under load node's address space
  // grew past RLIMIT_AS at a 20 MB heap (npm died "out of memory" only on a busy machine).
  env["MALLOC_ARENA_MAX"] = "2";
  env["npm_config_cache"] = network ? kNpmCacheInside : "/tmp/npm-cache";
  env.erase("LD_PRELOAD");
  env.erase("LD_LIBRARY_PATH");
  argv.push_back("--clearenv");
  for (const auto& [k, v] : env) Add(argv, {"--setenv", k, v});
}

Status CheckSearchable(const fs::path& dir) {
  for (fs::path p = dir.parent_path(); !p.empty(); p = p.parent_path()) {
    struct stat st;
    if (stat(p.c_str(), &st) != 0) return Internal("stat " + p.string() + ": " + strerror(errno));
    if ((st.st_mode & S_IXOTH) == 0) {
      return FailedPrecondition("the build sandbox's uid cannot reach " + dir.string() + ": " +
                                p.string() + " is not searchable by others (chmod o+x)");
    }
    if (p == p.root_path()) break;
  }
  return Status::Ok();
}

Status ChownTree(const fs::path& root, uint32_t uid, uint32_t gid) {
  if (lchown(root.c_str(), uid, gid) != 0) {
    return Internal("chown " + root.string() + ": " + strerror(errno));
  }
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (lchown(it->path().c_str(), uid, gid) != 0) {
      return Internal("chown " + it->path().string() + ": " + strerror(errno));
    }
  }
  if (ec) return Internal("walking " + root.string() + ": " + ec.message());
  return Status::Ok();
}

}  // namespace

ProcessSpec WrapInSandbox(const ProcessSpec& step, const SandboxOptions& o, bool network) {
  ProcessSpec out = step;
  out.inherit_env = false;
  out.env_add.clear();
  out.cwd = "/";
  out.argv.clear();
  AddLimits(out.argv, o);
  if (geteuid() == 0) {
    Add(out.argv, {o.setpriv, "--reuid=" + std::to_string(o.host_uid),
                   "--regid=" + std::to_string(o.host_gid), "--clear-groups", "--"});
  }
  Add(out.argv, {o.bwrap, "--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
                 "--unshare-cgroup-try"});
  if (!network) out.argv.push_back("--unshare-net");
  // --disable-userns: no nested user namespace, so tenant code cannot gain the capabilities
  // that would widen the kernel's attack surface (mounts, netfilter, ...).
  Add(out.argv, {"--disable-userns", "--die-with-parent", "--new-session", "--uid", kSandboxUid,
                 "--gid", kSandboxUid, "--hostname", "slipway-build"});
  AddFilesystem(out.argv, step, o, network);
  AddEnvironment(out.argv, step, o, network);
  out.argv.push_back("--");
  out.argv.insert(out.argv.end(), step.argv.begin(), step.argv.end());
  return out;
}

Status PrepareBuildDir(const std::string& dir, const SandboxOptions& o) {
  std::error_code ec;
  if (!o.npm_cache_dir.empty()) fs::create_directories(o.npm_cache_dir, ec);
  if (ec) return Internal("cannot create the npm cache " + o.npm_cache_dir + ": " + ec.message());
  if (geteuid() != 0) return Status::Ok();  // the sandbox runs as our own uid
  SLIPWAY_RETURN_IF_ERROR(CheckSearchable(fs::path(dir)));
  if (!o.npm_cache_dir.empty()) {
    SLIPWAY_RETURN_IF_ERROR(CheckSearchable(fs::path(o.npm_cache_dir)));
    struct stat st;
    // Files npm adds later belong to the sandbox's uid already: walk the cache only once.
    if (stat(o.npm_cache_dir.c_str(), &st) == 0 && st.st_uid != o.host_uid) {
      SLIPWAY_RETURN_IF_ERROR(ChownTree(o.npm_cache_dir, o.host_uid, o.host_gid));
    }
  }
  return ChownTree(dir, o.host_uid, o.host_gid);
}

}  // namespace slipway::activities::build
