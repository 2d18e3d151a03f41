#include "engine/base/git_names.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <string>
#include <vector>

extern char** environ;

namespace slipway {
namespace {

const std::vector<std::string> kGoodRefs = {
    "production", "main", "feature/x", "release-1.2", "a/b/c", "v1.0", "users/jo_e/fix",
    "0123456789abcdef0123456789abcdef01234567", "x.y.z", "ü-branch", std::string(200, 'a')};

// One per git check-ref-format rule (and our bounds).
const std::vector<std::string> kBadRefs = {
    "", std::string(201, 'a'),                                          // length
    "../../../acme/other/tarball/production", "a..b", "..", ".",          // ".."
    "-foo", "/production", "production/", "a//b",                         // '-', '/'
    "prod.", "a.lock", "a/b.lock/c", ".hidden", "a/.b",                   // '.', .lock
    "a@{b", "@{-1}", "@", "HEAD",                                         // '@{', '@'
    "a\\b", "a b", "a\tb", std::string("a\0b", 3), "a\x7f", "a\nb",       // '\', controls
    "a~1", "a^", "a:b", "a?", "a*", "a[b"};                               // ~^:?*[

TEST(GitNamesTest, AcceptsOrdinaryBranchNames) {
  for (const std::string& ref : kGoodRefs) {
    EXPECT_TRUE(ValidateRefName(ref, "ref").ok()) << ref;
  }
}

TEST(GitNamesTest, RefusesEveryGitRuleNamingTheField) {
  for (const std::string& ref : kBadRefs) {
    Status st = ValidateRefName(ref, "template_ref");
    EXPECT_EQ(st.code(), Code::kInvalidArgument) << ref;
    EXPECT_EQ(st.field(), "template_ref") << ref;
  }
}

// Runs `git check-ref-format --branch <name>`; -1 when git cannot be run.
int GitCheckRefFormat(const std::string& name) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  // Outside any repository: inside one, --branch expands @{-1} to the previously checked-out
  // branch, and the answer would depend on the clone's reflog.
  posix_spawn_file_actions_addchdir_np(&fa, "/");
  std::vector<char*> argv = {const_cast<char*>("git"), const_cast<char*>("check-ref-format"),
                             const_cast<char*>("--branch"), const_cast<char*>(name.c_str()),
                             nullptr};
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, "git", &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return -1;
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

// git is the oracle: what it accepts we accept (bar our length cap), and whatever it refuses
// we refuse. We are stricter only where noted ("@": git takes it for HEAD).
TEST(GitNamesTest, AgreesWithGitCheckRefFormat) {
  if (GitCheckRefFormat("main") != 0) GTEST_SKIP() << "git is not installed";
  for (const std::string& ref : kGoodRefs) {
    if (ref.size() > 100) continue;
    EXPECT_EQ(GitCheckRefFormat(ref), 0) << ref;
  }
  for (const std::string& ref : kBadRefs) {
    if (ref.empty() || ref.size() > 200 || ref == "@" || ref.find('\0') != std::string::npos) {
      continue;  // not expressible as an argument, or our own bound
    }
    EXPECT_NE(GitCheckRefFormat(ref), 0) << ref;
  }
}

TEST(GitNamesTest, CommitShaIsFortyHexDigits) {
  EXPECT_TRUE(IsCommitSha("0123456789abcdef0123456789ABCDEF01234567"));
  EXPECT_FALSE(IsCommitSha("0123456789abcdef0123456789abcdef0123456"));
  EXPECT_FALSE(IsCommitSha("0123456789abcdef0123456789abcdef012345678"));
  EXPECT_FALSE(IsCommitSha("g123456789abcdef0123456789abcdef01234567"));
  EXPECT_FALSE(IsCommitSha("../../../../acme/other/git/ref/heads/prod"));
  EXPECT_EQ(ValidateCommitSha("..", "sha").field(), "sha");
}

TEST(GitNamesTest, RepoNamesAreGitHubNames) {
  for (const char* ok : {"acme", "tenant-foo", "site.v2", "a_b", "A1"}) {
    EXPECT_TRUE(ValidateRepoName(ok, "repo").ok()) << ok;
  }
  for (const std::string& bad : {std::string(), std::string("."), std::string(".."),
                                 std::string("a/b"), std::string("a%2fb"), std::string("a b"),
                                 std::string(101, 'a'), std::string("a\nb")}) {
    EXPECT_EQ(ValidateRepoName(bad, "repo").field(), "repo") << bad;
  }
}

TEST(GitNamesTest, RemoteIdsCannotTraverse) {
  EXPECT_TRUE(ValidateRemoteId("dpl_4f8a9Xk", "deployment_id").ok());
  EXPECT_TRUE(ValidateRemoteId("prj_1.v2", "project").ok());
  for (const char* bad : {"", ".", "..", "../prj_other", "dpl/x", "dpl?x", "dpl#x", "dpl%2e"}) {
    EXPECT_EQ(ValidateRemoteId(bad, "deployment_id").field(), "deployment_id") << bad;
  }
}

TEST(GitNamesTest, HostNamesAreStrict) {
  for (const char* ok : {"www.example.com", "a.io", "x-1.b2.example.org", "WWW.Example.COM"}) {
    EXPECT_TRUE(IsHostName(ok)) << ok;
  }
  for (const std::string& bad :
       {std::string("localhost"), std::string("-a.com"), std::string("a-.com"),
        std::string("a..com"), std::string(".a.com"), std::string("a.com."),
        std::string("a_b.com"), std::string("1.2.3.4"), std::string("a.com/x"),
        std::string("a.com:80"), std::string(64, 'a') + ".com",
        std::string(250, 'a').replace(60, 1, ".").replace(120, 1, ".").replace(180, 1, ".") +
            ".com"}) {
    EXPECT_FALSE(IsHostName(bad)) << bad;
  }
}

TEST(GitNamesTest, UnderDomainMatchesWholeLabelsOnly) {
  EXPECT_TRUE(IsUnderDomain("sites.test", "sites.test"));
  EXPECT_TRUE(IsUnderDomain("other-dev.sites.test", "sites.test"));
  EXPECT_TRUE(IsUnderDomain("A.Sites.TEST", "sites.test"));
  EXPECT_TRUE(IsUnderDomain("a.b.sites.test", "sites.test."));
  EXPECT_FALSE(IsUnderDomain("evilsites.test", "sites.test"));
  EXPECT_FALSE(IsUnderDomain("sites.test.example.com", "sites.test"));
  EXPECT_FALSE(IsUnderDomain("www.example.com", ""));
}

TEST(GitNamesTest, BranchNameForMapsWorkflowIdsToValidDistinctRefs) {
  EXPECT_EQ(BranchNameFor("slipway/", "t1:deploy-1"), "slipway/t1/deploy-1");
  EXPECT_EQ(BranchNameFor("slipway/", "t1:t1:update-7"), "slipway/t1/t1/update-7");
  EXPECT_EQ(BranchNameFor("slipway/", "t1:wf_01HZX"), "slipway/t1/wf_01HZX");
  EXPECT_NE(BranchNameFor("slipway/", "t1:a.b"), BranchNameFor("slipway/", "t1:a_b"));
  // Ids git would refuse as they are get a digest, still valid and distinct.
  const std::vector<std::string> refused = {"t1:.hidden", "t1:x.lock", "t1:a..b", "t1::x",
                                            "t1:x.", "", "t1:" + std::string(250, 'a')};
  for (const std::string& id : refused) {
    std::string name = BranchNameFor("slipway/", id);
    EXPECT_TRUE(ValidateRefName(name, "branch").ok()) << id << " -> " << name;
    EXPECT_EQ(name.rfind("slipway/sha-", 0), 0u) << name;
  }
  EXPECT_NE(BranchNameFor("slipway/", "t1:.a"), BranchNameFor("slipway/", "t1:.b"));
}

}  // namespace
}  // namespace slipway
