// activities/build/build_npm_test.cc: real `npm ci` + `npm run build` of the template site and
// its seeded-error variants through BuildValidator (label "npm": needs node, npm and the npm
// registry or a warm npm cache). Each case copies the fixture into its own temp dir. Every step
// runs in the bubblewrap sandbox, as in slipwayd.
#include <gtest/gtest.h>
#include <signal.h>
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

// Counts the processes the validator starts, to show a cache hit starts none.
class CountingRunner final : public ProcessRunner {
 public:
  explicit CountingRunner(ProcessRunner& real) : real_(real) {}
  Result<ProcessResult> Run(const ProcessSpec& spec) override {
    ++runs;
    return real_.Run(spec);
  }
  int runs = 0;

 private:
  ProcessRunner& real_;
};

void CopyTree(const fs::path& from, const fs::path& to) {
  for (auto it = fs::recursive_directory_iterator(from); it != fs::recursive_directory_iterator();
       ++it) {
    const std::string name = it->path().filename().string();
    if (it->is_directory() && (name == "node_modules" || name == "dist" || name == "out")) {
      it.disable_recursion_pending();
      continue;
    }
    const fs::path target = to / fs::relative(it->path(), from);
    if (it->is_directory()) {
      fs::create_directories(target);
    } else {
      fs::create_directories(target.parent_path());
      fs::copy_file(it->path(), target, fs::copy_options::overwrite_existing);
    }
  }
}

// The sandbox of these tests, with a shared npm cache (warmed from the caller's own ~/.npm once).
SandboxOptions TestSandbox() {
  SandboxOptions o;
  const fs::path cache = fs::temp_directory_path() / "slipway-test-npm-cache";
  std::error_code ec;
  const char* home = std::getenv("HOME");
  if (!fs::exists(cache, ec) && home != nullptr && fs::is_directory(fs::path(home) / ".npm", ec)) {
    fs::copy(fs::path(home) / ".npm" / "_cacache", cache / "_cacache",
             fs::copy_options::recursive, ec);
  }
  o.npm_cache_dir = cache.string();
  return o;
}

ValidatorOptions SandboxedOptions() {
  ValidatorOptions o;
  o.sandbox = TestSandbox();
  return o;
}

// Processes on the host whose command line holds `marker`.
int CountHostProcesses(const std::string& marker) {
  int n = 0;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string pid = e.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(e.path() / "cmdline", std::ios::binary);
    std::string cmd((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::replace(cmd.begin(), cmd.end(), '\0', ' ');
    if (cmd.find(marker) != std::string::npos) ++n;
  }
  return n;
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class BuildNpmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<TempDir> dir = TempDir::Create("", "slipway-npm-test-");
    ASSERT_TRUE(dir.ok());
    temp_ = std::make_unique<TempDir>(std::move(*dir));
    chmod(temp_->path().c_str(), 0711);  // the sandbox's uid reaches the sites below it
  }

  // The base site with `variant`'s files laid over it ("" for the clean site).
  fs::path Site(const std::string& variant) {
    const fs::path fixtures(SLIPWAY_FIXTURES_DIR);
    fs::path site = fs::path(temp_->path()) / (variant.empty() ? "clean" : variant);
    CopyTree(fixtures / "site", site);
    if (!variant.empty()) CopyTree(fixtures / "site-variants" / variant, site);
    return site;
  }

  Result<BuildResult> Validate(const fs::path& site, const std::string& sha) {
    return validator_.ValidateDirectory({"slipway/template-site", sha, nullptr}, site.string());
  }

  // The variant fails, and its first error is at file:line with `code`.
  void ExpectFailsAt(const std::string& variant, const std::string& file, int line, int column,
                     const std::string& code) {
    Result<BuildResult> r = Validate(Site(variant), variant);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_FALSE(r->passed);
    ASSERT_FALSE(r->errors.empty()) << r->output_tail;
    EXPECT_EQ(r->errors[0].file, file);
    EXPECT_EQ(r->errors[0].line, line);
    EXPECT_EQ(r->errors[0].column, column);
    EXPECT_EQ(r->errors[0].code, code);
    EXPECT_EQ(r->errors.size(), 1u) << "tsc and the build report the same error once";
    ASSERT_EQ(r->steps.size(), 3u);
    EXPECT_EQ(r->steps[0].exit_code, 0) << "npm ci";
    EXPECT_NE(r->steps[1].exit_code, 0) << "tsc --noEmit";
    EXPECT_NE(r->steps[2].exit_code, 0) << "npm run build";
  }

  std::unique_ptr<TempDir> temp_;
  SystemClock clock_;
  PosixProcessRunner real_{clock_};
  CountingRunner runner_{real_};
  InMemoryBuildCache cache_;
  BuildValidator validator_{runner_, cache_, SandboxedOptions()};
};

TEST_F(BuildNpmTest, CleanSitePassesAndTheSecondRunIsACacheHit) {
  fs::path site = Site("");
  Result<BuildResult> r = Validate(site, "clean");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->passed) << r->output_tail;
  EXPECT_TRUE(r->errors.empty());
  ASSERT_EQ(r->steps.size(), 3u);
  EXPECT_EQ(r->steps[0].name, "install");
  EXPECT_EQ(r->steps[1].name, "typecheck");
  EXPECT_EQ(r->steps[2].name, "build");
  const std::string about = ReadFile(site / "out" / "about.html");
  EXPECT_NE(about.find("<a href=\"index.html\">Home</a>"), std::string::npos);
  EXPECT_NE(about.find("<a href=\"contact.html\">Contact</a>"), std::string::npos);
  EXPECT_NE(about.find("Harbour Bakery"), std::string::npos) << "rendered from websiteData.json";

  const int runs = runner_.runs;
  Result<BuildResult> again = Validate(site, "clean");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->from_cache);
  EXPECT_EQ(runner_.runs, runs);
}

TEST_F(BuildNpmTest, TypeErrorVariant) {
  ExpectFailsAt("type-error", "src/render.ts", 18, 9, "TS2322");
}

TEST_F(BuildNpmTest, MissingNameVariant) {
  ExpectFailsAt("missing-name", "src/build.ts", 16, 24, "TS2304");
}

TEST_F(BuildNpmTest, SyntaxErrorVariant) {
  ExpectFailsAt("syntax-error", "src/site.ts", 16, 59, "TS1005");
}

TEST_F(BuildNpmTest, UnfixableVariant) {
  ExpectFailsAt("unfixable", "src/build.ts", 4, 31, "TS2307");
}

// npm -> sh -> node (and a setsid daemon), all in the sandbox: the timeout takes all of them.
TEST_F(BuildNpmTest, HangingBuildIsKilledAtItsTimeoutWithNothingLeftBehind) {
  fs::path site = fs::path(temp_->path()) / "hang";
  fs::create_directories(site);
  const std::string marker = "slipway-hang-" + std::to_string(getpid());
  const std::string build =
      R"(setsid sleep 317 & node -e \"require('fs').writeFileSync('pid', String(process.pid)); )"
      R"(setInterval(() => {}, 1000) /* )" + marker + R"( */\")";
  std::ofstream(site / "package.json")
      << R"({"name":"hang","version":"1.0.0","private":true,"scripts":{"build":")" << build
      << "\"}}";
  ValidatorOptions options = SandboxedOptions();
  options.build_timeout_ms = 6000;  // ample for npm and node to start on a loaded machine
  options.kill_grace_ms = 500;
  BuildValidator validator(runner_, cache_, options);
  Result<BuildResult> r =
      validator.ValidateDirectory({"slipway/hang", "h1", nullptr}, site.string());
  // A check past its timeout is a permanent error naming the step (not retried: it hangs again).
  EXPECT_EQ(r.status().code(), Code::kPermanent) << r.status().ToString();
  EXPECT_NE(r.status().message().find("'build' timed out"), std::string::npos)
      << r.status().ToString();
  const std::string pid_text = ReadFile(site / "pid");
  ASSERT_FALSE(pid_text.empty()) << "the build never started node";
  int left = 1;
  for (int i = 0; i < 200 && left > 0; ++i) {  // the namespace is torn down asynchronously
    left = CountHostProcesses(marker) + CountHostProcesses("sleep 317");
    if (left > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(left, 0) << "a process of the build survived the timeout";
}

}  // namespace
}  // namespace slipway::activities::build
