#include "engine/base/failpoints.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

namespace slipway {
namespace {

TEST(FailpointsTest, UnarmedHitIsOk) {
  Failpoints fp;
  EXPECT_TRUE(fp.Hit("store.commit.before").ok());
}

TEST(FailpointsTest, ArmedErrorFailsUntilDisarmed) {
  Failpoints fp;
  ASSERT_TRUE(fp.Arm("a", "error").ok());
  EXPECT_EQ(fp.Hit("a").code(), Code::kUnavailable);
  EXPECT_TRUE(fp.Hit("b").ok());
  fp.Disarm("a");
  EXPECT_TRUE(fp.Hit("a").ok());
}

TEST(FailpointsTest, CountedErrorFailsOnlyNTimes) {
  Failpoints fp;
  ASSERT_TRUE(fp.ArmFromSpec("a=error*2").ok());
  EXPECT_FALSE(fp.Hit("a").ok());
  EXPECT_FALSE(fp.Hit("a").ok());
  EXPECT_TRUE(fp.Hit("a").ok());
  EXPECT_EQ(fp.Hits("a"), 2);
}

TEST(FailpointsTest, BadSpecIsRejected) {
  Failpoints fp;
  EXPECT_EQ(fp.ArmFromSpec("nonsense").code(), Code::kInvalidArgument);
  EXPECT_EQ(fp.Arm("a", "explode").code(), Code::kInvalidArgument);
}

TEST(FailpointsTest, KillActionKillsTheProcess) {
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    Failpoints fp;
    (void)fp.Arm("boom", "kill");
    fp.Hit("boom").IgnoreError();
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
}

}  // namespace
}  // namespace slipway
