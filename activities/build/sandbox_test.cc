// activities/build/sandbox_test.cc: the bwrap command line, and the real sandbox attacked from
// the inside with small limits (each attack alone, so a failure stays bounded on a shared
// machine). The real cases skip when bubblewrap is not installed.
#include "activities/build/sandbox.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "activities/build/source_archive.h"

namespace slipway::activities::build {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSecret = "sk-launcher-secret-5f2c9e7d";

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(WrapInSandboxTest, StartsBwrapWithAnEmptyEnvironmentAndExplicitBindsOnly) {
  SandboxOptions o;
  o.npm_cache_dir = "/var/cache/slipway-npm";
  ProcessSpec step;
  step.argv = {"npm", "run", "build"};
  step.cwd = "/work/builds/site";
  step.env_add = {{"CI", "1"}, {"PATH", "/root/bin"}};
  ProcessSpec wrapped = WrapInSandbox(step, o, /*network=*/false);
  EXPECT_FALSE(wrapped.inherit_env);
  EXPECT_TRUE(wrapped.env_add.empty());
  EXPECT_EQ(wrapped.argv[0], o.prlimit);
  EXPECT_TRUE(Contains(wrapped.argv, o.bwrap));
  for (const char* flag : {"--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
                           "--unshare-net", "--disable-userns", "--die-with-parent",
                           "--clearenv"}) {
    EXPECT_TRUE(Contains(wrapped.argv, flag)) << flag;
  }
  EXPECT_FALSE(Contains(wrapped.argv, o.npm_cache_dir)) << "the cache is for the install only";
  std::string joined;
  for (const std::string& a : wrapped.argv) joined += a + " ";
  EXPECT_EQ(joined.find("--ro-bind / /"), std::string::npos);
  EXPECT_EQ(joined.find("/root/bin"), std::string::npos) << "PATH is the sandbox's";
  EXPECT_NE(joined.find("--bind /work/builds/site /work/builds/site"), std::string::npos);
  EXPECT_NE(joined.find("-- npm run build "), std::string::npos);

  ProcessSpec install = WrapInSandbox(step, o, /*network=*/true);
  EXPECT_FALSE(Contains(install.argv, "--unshare-net"));
  EXPECT_TRUE(Contains(install.argv, o.npm_cache_dir));
}

class RealSandboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access("/usr/bin/bwrap", X_OK) != 0) GTEST_SKIP() << "bubblewrap is not installed";
    setenv("SLIPWAY_TEST_LAUNCHER_SECRET", kSecret, 1);
    Result<TempDir> dir = TempDir::Create("", "slipway-sandbox-test-");
    ASSERT_TRUE(dir.ok());
    temp_ = std::make_unique<TempDir>(std::move(*dir));
    chmod(temp_->path().c_str(), 0711);
    build_ = fs::path(temp_->path()) / "build";
    other_ = fs::path(temp_->path()) / "other-build";
    fs::create_directories(build_);
    fs::create_directories(other_);
    std::ofstream(other_ / "secret.txt") << kSecret;
    options_.npm_cache_dir = (fs::path(temp_->path()) / "npm-cache").string();
    options_.limits.processes = 64;
    // A uid of this test process's own: its fork bomb must not starve builds of other tests
    // running at the same time (RLIMIT_NPROC counts every process of a uid).
    options_.host_uid = options_.host_gid = 60000 + static_cast<uint32_t>(getpid() % 2000);
    options_.limits.address_space_bytes = 1ull << 30;
    options_.limits.node_heap_mb = 256;
    options_.limits.file_size_bytes = 8ull << 20;
    options_.limits.tmp_bytes = 16ull << 20;
    ASSERT_TRUE(PrepareBuildDir(build_.string(), options_).ok());
  }
  void TearDown() override { unsetenv("SLIPWAY_TEST_LAUNCHER_SECRET"); }

  ProcessResult Sh(const std::string& script, bool network = false, int64_t timeout_ms = 20000) {
    ProcessSpec step;
    step.argv = {"/bin/sh", "-c", script};
    step.env_add = {{"CI", "1"}};
    step.cwd = build_.string();
    step.timeout_ms = timeout_ms;
    step.kill_grace_ms = 200;
    Result<ProcessResult> r = runner_.Run(WrapInSandbox(step, options_, network));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ProcessResult{};
  }

  // Processes on the host whose command line holds `marker`.
  static int CountHostProcesses(const std::string& marker) {
    int n = 0;
    for (const auto& e : fs::directory_iterator("/proc")) {
      const std::string pid = e.path().filename().string();
      if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
      std::ifstream in(e.path() / "cmdline", std::ios::binary);
      std::string cmd((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      std::replace(cmd.begin(), cmd.end(), '\0', ' ');
      if (cmd.find(marker) != std::string::npos && cmd.find("/bin/sh") == std::string::npos) ++n;
    }
    return n;
  }

  std::unique_ptr<TempDir> temp_;
  fs::path build_, other_;
  SandboxOptions options_;
  SystemClock clock_;
  PosixProcessRunner runner_{clock_};
};

TEST_F(RealSandboxTest, SelfTestPasses) {
  Status st = SandboxSelfTest(runner_, options_);
  EXPECT_TRUE(st.ok()) << st.ToString();
}

TEST_F(RealSandboxTest, NoEnvironmentOfTheLauncherInside) {
  ProcessResult r = Sh("cat /proc/1/environ /proc/self/environ; echo; ls /proc/*/environ");
  EXPECT_TRUE(r.succeeded()) << r.output;
  EXPECT_EQ(r.output.find(kSecret), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("CI="), std::string::npos) << "no: only what the step passes";
}

TEST_F(RealSandboxTest, HostFilesAreOutOfReachAndOnlyTheBuildDirIsWritable) {
  ProcessResult userns = Sh("unshare -U true && echo NESTED");
  EXPECT_EQ(userns.output.find("NESTED"), std::string::npos) << userns.output;
  ProcessResult r = Sh("cat " + (other_ / "secret.txt").string() +
                       "; cat /etc/shadow /root/.bashrc; echo x > /usr/pwned; echo x > /etc/pwned;"
                       " echo x > " + (other_ / "pwned").string() + "; echo ok > mine.txt");
  EXPECT_EQ(r.output.find(kSecret), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(other_ / "pwned"));
  EXPECT_FALSE(fs::exists("/usr/pwned"));
  EXPECT_TRUE(fs::exists(build_ / "mine.txt")) << r.output;
}

TEST_F(RealSandboxTest, NoNetworkOutsideTheInstallStep) {
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(listener, 4), 0);
  socklen_t len = sizeof addr;
  getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  const std::string port = std::to_string(ntohs(addr.sin_port));
  const std::string connect =
      "node -e \"const s=require('net').connect(" + port + ",'127.0.0.1');"
      "s.on('connect',()=>{console.log('CONNECTED');process.exit(0)});"
      "s.on('error',e=>{console.log('refused '+e.code);process.exit(3)})\"";
  ProcessResult offline = Sh(connect);
  EXPECT_EQ(offline.output.find("CONNECTED"), std::string::npos) << offline.output;
  EXPECT_NE(offline.output.find("refused"), std::string::npos) << offline.output;
  ProcessResult online = Sh(connect, /*network=*/true);
  EXPECT_NE(online.output.find("CONNECTED"), std::string::npos) << online.output;
  close(listener);
}

TEST_F(RealSandboxTest, SetsidSleeperDiesWithTheStep) {
  ProcessResult r = Sh("setsid sleep 313 </dev/null >/dev/null 2>&1 & echo started");
  EXPECT_NE(r.output.find("started"), std::string::npos);
  int left = CountHostProcesses("sleep 313");
  for (int i = 0; i < 200 && left > 0; ++i) {  // the kernel tears the namespace down async
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    left = CountHostProcesses("sleep 313");
  }
  EXPECT_EQ(left, 0);
}

TEST_F(RealSandboxTest, TimeoutKillsEverythingInside) {
  ProcessResult r = Sh("setsid sleep 314 & sleep 315", false, /*timeout_ms=*/1500);
  EXPECT_TRUE(r.timed_out);
  int left = 1;
  for (int i = 0; i < 200 && left > 0; ++i) {
    left = CountHostProcesses("sleep 314") + CountHostProcesses("sleep 315");
    if (left > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(left, 0);
}

TEST_F(RealSandboxTest, ForkBombStopsAtTheProcessLimit) {
  // dash exits when fork fails: the count goes through a file.
  ProcessResult r = Sh("sh -c 'while :; do sleep 316 & echo x >>/tmp/n; done' 2>/dev/null;"
                       " wc -l </tmp/n");
  int forked = std::atoi(r.output.c_str());
  EXPECT_GT(forked, 0) << r.output;
  EXPECT_LE(forked, 64) << r.output;
}

TEST_F(RealSandboxTest, MemoryAndFileSizeAreBounded) {
  ProcessResult mem = Sh("node -e \"const b=[];try{for(;;)b.push(Buffer.alloc(1<<27))}"
                         "catch(e){console.log('stopped at',b.length*128,'MiB')}\"");
  EXPECT_NE(mem.output.find("stopped at"), std::string::npos) << mem.output;
  ProcessResult big = Sh("head -c 100000000 /dev/zero > big.bin; echo rc=$?");
  EXPECT_EQ(big.output.find("rc=0"), std::string::npos) << big.output;
  EXPECT_LE(fs::file_size(build_ / "big.bin"), 8u << 20);
  ProcessResult tmp = Sh("for i in 1 2 3 4; do head -c 6000000 /dev/zero > /tmp/f$i; done");
  EXPECT_NE(tmp.output.find("No space left on device"), std::string::npos) << tmp.output;
}

}  // namespace
}  // namespace slipway::activities::build
