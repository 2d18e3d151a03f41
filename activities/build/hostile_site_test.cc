// activities/build/hostile_site_test.cc: tests/fixtures/hostile-site built through the real
// BuildValidator in the bubblewrap sandbox (label "npm": runs npm). Its install script (when
// allow-listed) and its build attack the machine; every attack must fail inside the sandbox, the
// result must be a clean failure, the launcher's secrets must appear nowhere, nothing may be left
// running and nothing on the host may change. Small limits keep the attacks short and bounded.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "activities/build/build_validator.h"
#include "activities/build/source_archive.h"

#ifndef SLIPWAY_FIXTURES_DIR
#error "SLIPWAY_FIXTURES_DIR must point at tests/fixtures"
#endif

namespace slipway::activities::build {
namespace {

namespace fs = std::filesystem;

constexpr const char* kLauncherSecrets[][2] = {
    {"GITHUB_TOKEN", "ghp_LauncherSecretGithub0123456789abcd"},
    {"VERCEL_TOKEN", "vercel-launcher-secret-7d1f0c3b9e"},
    {"ANTHROPIC_API_KEY", "sk-ant-launcher-secret-4b8e2a"}};
constexpr const char* kDbSecret = "DB-SECRET-c0ffee-tenants-and-tokens";
constexpr const char* kOtherBuildSecret = "OTHER-BUILD-SECRET-9a7b";
const char* const kAttacks[] = {"read-proc-environ", "read-database", "read-other-build",
                                "connect-emulator", "connect-metadata",
                                "allocate-8gb", "write-8gb", "setsid-sleeper", "fork-bomb"};

// Keeps every step's whole output, which the BuildResult only has the tail of.
class RecordingRunner final : public ProcessRunner {
 public:
  explicit RecordingRunner(ProcessRunner& real) : real_(real) {}
  Result<ProcessResult> Run(const ProcessSpec& spec) override {
    Result<ProcessResult> r = real_.Run(spec);
    if (r.ok()) output += r->output + "\n";
    return r;
  }
  std::string output;

 private:
  ProcessRunner& real_;
};

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

int CountHostProcesses(const std::string& marker) {
  int n = 0;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string pid = e.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmd = ReadFile(e.path() / "cmdline");
    std::replace(cmd.begin(), cmd.end(), '\0', ' ');
    if (cmd.find(marker) != std::string::npos) ++n;
  }
  return n;
}

class HostileSiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access("/usr/bin/bwrap", X_OK) != 0) GTEST_SKIP() << "bubblewrap is not installed";
    for (const auto& [name, value] : kLauncherSecrets) setenv(name, value, 1);
    Result<TempDir> dir = TempDir::Create("", "slipway-hostile-test-");
    ASSERT_TRUE(dir.ok());
    temp_ = std::make_unique<TempDir>(std::move(*dir));
    chmod(temp_->path().c_str(), 0711);
    const fs::path root(temp_->path());
    site_ = root / "site";
    fs::copy(fs::path(SLIPWAY_FIXTURES_DIR) / "hostile-site", site_, fs::copy_options::recursive);
    fs::create_directories(root / "other-build");
    std::ofstream(root / "other-build" / "secret.txt") << kOtherBuildSecret;
    std::ofstream(root / "slipway.db") << "SQLite format 3" << kDbSecret;
    OpenListener();
    std::ofstream(site_ / "attack-config.json")
        << R"({"db":")" << (root / "slipway.db").string() << R"(","other_build":")"
        << (root / "other-build").string() << R"(","outside":")"
        << (root / "outside-pwned").string() << R"(","port":)" << port_ << "}";
  }
  void TearDown() override {
    for (const auto& [name, value] : kLauncherSecrets) unsetenv(name);
    if (listener_ >= 0) close(listener_);
  }

  void OpenListener() {  // stands for the emulator
    listener_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(listen(listener_, 8), 0);
    socklen_t len = sizeof addr;
    getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }

  ValidatorOptions Options(bool allow_dep) {
    ValidatorOptions o;
    SandboxOptions sb;
    sb.npm_cache_dir = (fs::path(temp_->path()) / "npm-cache").string();
    sb.limits.address_space_bytes = 2ull << 30;  // 8 GB stays far out of reach
    sb.limits.node_heap_mb = 256;
    sb.limits.file_size_bytes = 32ull << 20;
    sb.limits.processes = 128;
    // Its own uid: the fork bomb must not starve other tests' builds (RLIMIT_NPROC is per uid).
    sb.host_uid = sb.host_gid = 60000 + static_cast<uint32_t>(getpid() % 2000);
    sb.limits.tmp_bytes = 64ull << 20;
    o.sandbox = sb;
    o.build_timeout_ms = o.install_timeout_ms = 120'000;
    o.kill_grace_ms = 500;
    if (allow_dep) o.install_scripts_allowed = {"hostile-dep"};
    return o;
  }

  // Nothing the build did is visible on the host.
  void ExpectHostUnchanged(const std::string& everything) {
    const fs::path root(temp_->path());
    EXPECT_FALSE(fs::exists(root / "outside-pwned"));
    EXPECT_FALSE(fs::exists(root / "other-build" / "pwned"));
    EXPECT_FALSE(fs::exists("/usr/pwned"));
    EXPECT_FALSE(fs::exists("/etc/pwned"));
    EXPECT_EQ(ReadFile(root / "slipway.db"), std::string("SQLite format 3") + kDbSecret);
    EXPECT_LT(accept(listener_, nullptr, nullptr), 0) << "a build reached the loopback port";
    for (const auto& [name, value] : kLauncherSecrets) {
      EXPECT_EQ(everything.find(value), std::string::npos) << name << " leaked";
    }
    EXPECT_EQ(everything.find(kDbSecret), std::string::npos);
    EXPECT_EQ(everything.find(kOtherBuildSecret), std::string::npos);
    int left = 1;
    for (int i = 0; i < 300 && left > 0; ++i) {  // namespaces are torn down asynchronously
      left = CountHostProcesses("sleep 901") + CountHostProcesses("sleep 600");
      if (left > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(left, 0) << "a process of the build outlived it";
  }

  std::unique_ptr<TempDir> temp_;
  fs::path site_;
  int listener_ = -1;
  int port_ = 0;
  SystemClock clock_;
  PosixProcessRunner real_{clock_};
  RecordingRunner runner_{real_};
  InMemoryBuildCache cache_;
};

TEST_F(HostileSiteTest, EveryAttackFailsInsideTheSandbox) {
  BuildValidator validator(runner_, cache_, Options(/*allow_dep=*/true));
  Result<BuildResult> r = validator.ValidateDirectory({}, site_.string());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const std::string& out = runner_.output;
  EXPECT_FALSE(r->passed);
  ASSERT_EQ(r->steps.size(), 3u) << out;
  EXPECT_EQ(r->steps[0].name, "install");
  EXPECT_EQ(r->steps[1].name, "install-scripts");
  EXPECT_EQ(r->steps[2].name, "build");
  EXPECT_EQ(r->steps[2].exit_code, 1) << "a clean failure, not a timeout";
  EXPECT_FALSE(r->steps[2].timed_out);
  EXPECT_EQ(out.find("SUCCEEDED"), std::string::npos) << out;
  for (const char* phase : {"install-script", "build"}) {
    for (const char* attack : kAttacks) {
      const std::string line = std::string("ATTACK ") + phase + " " + attack + " blocked";
      EXPECT_NE(out.find(line), std::string::npos) << line << "\n" << out;
    }
  }
  EXPECT_NE(out.find("ATTACK build write-outside"), std::string::npos) << "ExpectHostUnchanged";
  EXPECT_EQ(out.find("ATTACK preinstall"), std::string::npos) << "the site's own hooks ran";
  EXPECT_EQ(out.find("ATTACK postinstall"), std::string::npos) << "the site's own hooks ran";
  EXPECT_NE(out.find("ghp_FakeFake"), std::string::npos) << "the fake secret was printed";
  std::string kept = r->output_tail;
  for (const BuildError& e : r->errors) kept += e.message;
  EXPECT_EQ(kept.find("ghp_FakeFake"), std::string::npos) << "results are redacted";
  ExpectHostUnchanged(out + kept);
}

TEST_F(HostileSiteTest, InstallScriptIsRefusedByNameUnlessAllowed) {
  BuildValidator validator(runner_, cache_, Options(/*allow_dep=*/false));
  Result<BuildResult> r = validator.ValidateDirectory({}, site_.string());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->passed);
  ASSERT_EQ(r->steps.size(), 1u) << runner_.output;
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].code, "EINSTALLSCRIPT");
  EXPECT_NE(r->errors[0].message.find("hostile-dep"), std::string::npos);
  EXPECT_EQ(runner_.output.find("ATTACK"), std::string::npos) << runner_.output;
  ExpectHostUnchanged(runner_.output + r->output_tail);
}

}  // namespace
}  // namespace slipway::activities::build
