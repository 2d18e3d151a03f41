// activities/build/process_runner_test.cc: exit codes, capture, the output cap, and that a
// timeout or a cancellation leaves no process of the group behind.
#include "activities/build/process_runner.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace slipway::activities::build {
namespace {

namespace fs = std::filesystem;

class ProcessRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("slipway-runner-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  ProcessSpec Sh(const std::string& script) {
    ProcessSpec spec;
    spec.argv = {"sh", "-c", script};
    spec.cwd = dir_.string();
    return spec;
  }

  std::vector<pid_t> ReadPids(const std::string& name) {
    std::vector<pid_t> pids;
    std::ifstream in(dir_ / name);
    for (pid_t p; in >> p;) pids.push_back(p);
    return pids;
  }

  SystemClock clock_;
  PosixProcessRunner runner_{clock_};
  fs::path dir_;
};

// A zombie still answers kill(pid, 0); it is dead for our purpose (its reaper is not us).
bool Alive(pid_t pid) {
  if (kill(pid, 0) != 0) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  size_t paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] != 'Z';
}

// Live (non-zombie) members of process group pgid, from /proc.
int GroupMembers(pid_t pgid) {
  int n = 0;
  for (const fs::directory_entry& e : fs::directory_iterator("/proc")) {
    std::ifstream stat(e.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    size_t paren = line.rfind(')');
    if (paren == std::string::npos) continue;
    std::istringstream rest(line.substr(paren + 2));
    std::string state;
    long ppid = 0, pgrp = 0;
    rest >> state >> ppid >> pgrp;
    if (pgrp == pgid && state != "Z") ++n;
  }
  return n;
}

// SIGKILL is asynchronous: give the kernel a moment to finish the processes off.
bool AllGone(const std::vector<pid_t>& pids) {
  for (int i = 0; i < 200; ++i) {
    bool any = false;
    for (pid_t p : pids) any = any || Alive(p);
    if (!any) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST_F(ProcessRunnerTest, CapturesOutputAndExitCode) {
  Result<ProcessResult> r = runner_.Run(Sh("echo out; echo err >&2; exit 3"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_FALSE(r->timed_out);
  EXPECT_EQ(r->output, "out\nerr\n");
  EXPECT_FALSE(r->succeeded());
}

TEST_F(ProcessRunnerTest, SeparateStreamsWhenNotMerged) {
  ProcessSpec spec = Sh("echo out; echo err >&2");
  spec.merge_stderr = false;
  Result<ProcessResult> r = runner_.Run(spec);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->output, "out\n");
  EXPECT_EQ(r->error_output, "err\n");
  EXPECT_TRUE(r->succeeded());
}

TEST_F(ProcessRunnerTest, ArgvIsNotInterpretedByAShell) {
  ProcessSpec spec;
  spec.argv = {"echo", "$(touch pwned); `touch pwned2`"};
  spec.cwd = dir_.string();
  Result<ProcessResult> r = runner_.Run(spec);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->output, "$(touch pwned); `touch pwned2`\n");
  EXPECT_FALSE(fs::exists(dir_ / "pwned"));
}

TEST_F(ProcessRunnerTest, RunsInCwdWithEnvAdditionsAndWithoutInheritance) {
  setenv("SLIPWAY_RUNNER_TEST_SECRET", "do-not-leak", 1);
  ProcessSpec spec = Sh("pwd; echo \"$EXTRA\"; echo \"[$SLIPWAY_RUNNER_TEST_SECRET]\"");
  spec.inherit_env = false;
  spec.env_add = {{"EXTRA", "hello"}, {"PATH", "/usr/bin:/bin"}};
  Result<ProcessResult> r = runner_.Run(spec);
  unsetenv("SLIPWAY_RUNNER_TEST_SECRET");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->output, fs::canonical(dir_).string() + "\nhello\n[]\n");
}

TEST_F(ProcessRunnerTest, MissingProgramOrDirectoryIsNotFound) {
  ProcessSpec spec;
  spec.argv = {"slipway-no-such-program"};
  EXPECT_EQ(runner_.Run(spec).status().code(), Code::kNotFound);
  spec = Sh("true");
  spec.cwd = (dir_ / "missing").string();
  EXPECT_EQ(runner_.Run(spec).status().code(), Code::kNotFound);
  spec.argv.clear();
  EXPECT_EQ(runner_.Run(spec).status().code(), Code::kInvalidArgument);
}

TEST_F(ProcessRunnerTest, ReportsTheSignalThatEndedTheLeader) {
  Result<ProcessResult> r = runner_.Run(Sh("kill -9 $$"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->term_signal, SIGKILL);
  EXPECT_EQ(r->exit_code, -1);
}

TEST_F(ProcessRunnerTest, TimeoutKillsTheWholeGroupIncludingTermIgnoringGrandchildren) {
  // Grandchildren in the background, one of which ignores SIGTERM, and a leader that waits.
  ProcessSpec spec = Sh(
      "sleep 1000 & echo $! >> pids; "
      "(trap '' TERM; sleep 1000) & echo $! >> pids; "
      "echo $$ >> pids; echo started; wait");
  spec.timeout_ms = 300;
  spec.kill_grace_ms = 200;
  Result<ProcessResult> r = runner_.Run(spec);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->timed_out);
  EXPECT_FALSE(r->succeeded());
  EXPECT_EQ(r->output, "started\n");
  std::vector<pid_t> pids = ReadPids("pids");
  ASSERT_EQ(pids.size(), 3u);
  EXPECT_TRUE(AllGone(pids));
  for (int i = 0; i < 200 && GroupMembers(pids[2]) > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(GroupMembers(pids[2]), 0) << "process group " << pids[2] << " still has members";
}

TEST_F(ProcessRunnerTest, LeftoverBackgroundProcessIsKilledWhenTheLeaderExits) {
  // The leftover holds the output pipe open: without the group kill, Run would wait for it.
  ProcessSpec spec = Sh("sleep 1000 & echo $! > pids; echo done");
  spec.timeout_ms = 60'000;
  Result<ProcessResult> r = runner_.Run(spec);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->timed_out);
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->output, "done\n");
  EXPECT_LT(r->duration_ms, 30'000);
  EXPECT_TRUE(AllGone(ReadPids("pids")));
}

TEST_F(ProcessRunnerTest, CancellationKillsTheGroup) {
  ProcessSpec spec = Sh("sleep 1000 & echo $! > pids; touch started; wait");
  spec.timeout_ms = 60'000;
  spec.kill_grace_ms = 200;
  const fs::path started = dir_ / "started";
  int checks = 0;
  spec.cancelled = [&] {
    ++checks;
    return fs::exists(started);
  };
  Result<ProcessResult> r = runner_.Run(spec);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->cancelled);
  EXPECT_FALSE(r->timed_out);
  EXPECT_GE(checks, 1);
  EXPECT_TRUE(AllGone(ReadPids("pids")));
}

TEST_F(ProcessRunnerTest, OutputCapKeepsHeadAndTail) {
  ProcessSpec spec = Sh("echo FIRST; yes line | head -n 200000; echo LAST");
  spec.output_cap = 64 * 1024;
  Result<ProcessResult> r = runner_.Run(spec);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->truncated);
  EXPECT_EQ(r->output.rfind("FIRST\n", 0), 0u);
  EXPECT_EQ(r->output.substr(r->output.size() - 5), "LAST\n");
  EXPECT_NE(r->output.find("bytes omitted"), std::string::npos);
  EXPECT_LT(r->output.size(), 64u * 1024 + 100);
}

TEST(HeadTailBufferTest, KeepsEverythingUnderTheCap) {
  HeadTailBuffer b(10);
  b.Append("abc", 3);
  b.Append("defgh", 5);
  EXPECT_FALSE(b.truncated());
  EXPECT_EQ(b.Take(), "abcdefgh");
}

TEST(HeadTailBufferTest, DropsTheMiddleInSmallAndLargeAppends) {
  HeadTailBuffer b(6);  // head 3, tail 3
  for (char c : std::string("0123456789")) b.Append(&c, 1);
  EXPECT_EQ(b.Take(), "012\n[... 4 bytes omitted ...]\n789");
  HeadTailBuffer big(6);
  big.Append("0123456789", 10);
  EXPECT_EQ(big.Take(), "012\n[... 4 bytes omitted ...]\n789");
}

}  // namespace
}  // namespace slipway::activities::build
