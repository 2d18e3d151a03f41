#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "activities/emulator_fixture.h"
#include "activities/github_client.h"

namespace slipway::activities {
namespace {

class GitHubCommitTest : public testing::EmulatorFixture {
 protected:
  void SetUp() override {
    EmulatorFixture::SetUp();
    StartEmulator();
    gh_ = std::make_unique<GitHubClient>(http_, Config().github,
                                         [this](int64_t ms) { sleeps_.push_back(ms); });
    Result<GitHubRepo> r = gh_->CreateRepoFromTemplate({"t", "", true});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  CommitFilesRequest Commit(std::map<std::string, std::string> files) {
    CommitFilesRequest c;
    c.repo = "t";
    c.branch = "main";
    c.files = std::move(files);
    c.message = "Fix build errors (automated)";
    c.idempotency_key = "wf-1/autofix/1";
    return c;
  }
  std::string Read(const std::string& path) {
    Result<std::optional<GitHubFile>> f = gh_->GetFile("t", path, "main");
    return f.ok() && f->has_value() ? (*f)->content : "<missing>";
  }
  std::unique_ptr<GitHubClient> gh_;
  std::vector<int64_t> sleeps_;
};

TEST_F(GitHubCommitTest, CommitsSeveralFilesAtOnce) {
  Result<std::string> before = gh_->GetBranchHead("t", "main");
  ASSERT_TRUE(before.ok());
  Result<CommitFilesResult> c =
      gh_->CommitFiles(Commit({{"pages/index.tsx", "export default 1;\n"}, {"src/new.ts", "x\n"}}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->changed);
  EXPECT_NE(c->commit_sha, *before);
  EXPECT_EQ(*gh_->GetBranchHead("t", "main"), c->commit_sha);
  EXPECT_EQ(Read("pages/index.tsx"), "export default 1;\n");
  EXPECT_EQ(Read("src/new.ts"), "x\n");
  EXPECT_EQ(Read("package.json").substr(0, 1), "{");  // base_tree kept the other files
  EXPECT_EQ(emu_->log().Count("commit", "acme/t"), 1);
}

TEST_F(GitHubCommitTest, RepeatFindsTheContentsAndDoesNotCommitAgain) {
  Result<CommitFilesResult> first = gh_->CommitFiles(Commit({{"a.txt", "1\n"}, {"b.txt", "2\n"}}));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  Result<std::string> parent = gh_->GetBranchHead("t", "main");
  CommitFilesRequest again = Commit({{"a.txt", "1\n"}, {"b.txt", "2\n"}});
  again.parent_sha = "0000000000000000000000000000000000000000";  // even against a stale parent
  Result<CommitFilesResult> second = gh_->CommitFiles(again);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_FALSE(second->changed);
  EXPECT_EQ(second->commit_sha, first->commit_sha);
  EXPECT_EQ(emu_->log().Count("commit", "acme/t"), 1);
}

TEST_F(GitHubCommitTest, BranchMovedSinceTheParentIsConflictNotForced) {
  Result<std::string> parent = gh_->GetBranchHead("t", "main");
  ASSERT_TRUE(parent.ok());
  // Someone else commits first.
  ASSERT_TRUE(gh_->PutFile({"t", "websiteData.json", "main", "{}", "edit", {}}).ok());
  CommitFilesRequest c = Commit({{"pages/index.tsx", "fixed\n"}});
  c.parent_sha = *parent;
  Result<CommitFilesResult> r = gh_->CommitFiles(c);
  EXPECT_EQ(r.status().code(), Code::kConflict) << r.status().ToString();
  EXPECT_NE(r.status().message().find("fast forward"), std::string::npos);
  EXPECT_EQ(Read("websiteData.json"), "{}");  // the other commit survived
  EXPECT_NE(Read("pages/index.tsx"), "fixed\n");
  EXPECT_EQ(emu_->log().Count("commit", "acme/t"), 1);
}

TEST_F(GitHubCommitTest, OtherRefUpdateRejectionIsNotRetriedButARepeatWorks) {
  Faults(
      R"({"rules":[{"method":"PATCH","path":"/repos/acme/t/git/refs/*","status":422,"times":1}]})");
  Result<CommitFilesResult> r = gh_->CommitFiles(Commit({{"a.txt", "1\n"}}));
  // The fault's body is generic ("Validation Failed"): not a conflict, but not retryable either.
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << r.status().ToString();
  Result<CommitFilesResult> retry = gh_->CommitFiles(Commit({{"a.txt", "1\n"}}));
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  EXPECT_TRUE(retry->changed);
}

TEST_F(GitHubCommitTest, EmptyFilesIsInvalidArgument) {
  EXPECT_EQ(gh_->CommitFiles(Commit({})).status().code(), Code::kInvalidArgument);
}

TEST_F(GitHubCommitTest, ServerErrorOnCreateTreeIsRetryable) {
  Faults(R"({"rules":[{"method":"POST","path":"/repos/acme/t/git/trees","status":502}]})");
  Result<CommitFilesResult> r = gh_->CommitFiles(Commit({{"a.txt", "1\n"}}));
  EXPECT_TRUE(r.status().retryable()) << r.status().ToString();
  EXPECT_EQ(emu_->log().Count("commit", "acme/t"), 0);
}

TEST_F(GitHubCommitTest, CreateBranchAtAShaIsIdempotent) {
  Result<std::string> main_head = gh_->GetBranchHead("t", "main");
  ASSERT_TRUE(main_head.ok());
  Result<bool> first = gh_->CreateBranch("t", "production", *main_head);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(*first);
  Result<bool> again = gh_->CreateBranch("t", "production", *main_head);  // 422 already exists
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(*again);
  EXPECT_EQ(*gh_->GetBranchHead("t", "production"), *main_head);
  EXPECT_EQ(emu_->log().Count("ref_created", "acme/t"), 1);
  // Commits on the new branch leave main alone.
  CommitFilesRequest c = Commit({{"a.txt", "1\n"}});
  c.branch = "production";
  ASSERT_TRUE(gh_->CommitFiles(c).ok());
  EXPECT_EQ(*gh_->GetBranchHead("t", "main"), *main_head);
  EXPECT_NE(*gh_->GetBranchHead("t", "production"), *main_head);
}

TEST_F(GitHubCommitTest, CreateBranchFromAnUnknownShaIsInvalidAndAServerErrorRetryable) {
  EXPECT_EQ(gh_->CreateBranch("t", "x", std::string(40, 'f')).status().code(),
            Code::kInvalidArgument);
  Faults(R"({"rules":[{"method":"POST","path":"/repos/acme/t/git/refs","status":503}]})");
  Result<std::string> head = gh_->GetBranchHead("t", "main");
  ASSERT_TRUE(head.ok());
  EXPECT_TRUE(gh_->CreateBranch("t", "y", *head).status().retryable());
  EXPECT_EQ(emu_->log().Count("ref_created"), 0);
}

TEST_F(GitHubCommitTest, CreateRepoWaitsForTheDefaultBranch) {
  Faults(
      R"({"rules":[{"method":"GET","path":"/repos/acme/slow/git/ref/heads/main","status":404,"times":2}]})");
  Result<GitHubRepo> r = gh_->CreateRepoFromTemplate({"slow", "", true});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(sleeps_.size(), 2u);
}

TEST_F(GitHubCommitTest, CreateRepoGivesUpWhenTheBranchNeverAppears) {
  GitHubConfig c = Config().github;
  c.ready_poll_attempts = 3;
  GitHubClient gh(http_, c, [](int64_t) {});
  Faults(
      R"({"rules":[{"method":"GET","path":"/repos/acme/never/git/ref/heads/main","status":409}]})");
  Result<GitHubRepo> r = gh.CreateRepoFromTemplate({"never", "", true});
  EXPECT_EQ(r.status().code(), Code::kUnavailable) << r.status().ToString();
  EXPECT_EQ(emu_->log().Count("repo_created"), 2);  // "t" and "never", each once
}

// A PNG's first bytes: 0x89 and the CR LF SUB LF signature make it invalid UTF-8.
std::string PngBytes() {
  std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0", 29);
  for (int i = 0; i < 256; ++i) png += static_cast<char>(i);  // every byte value, NUL included
  return png;
}

TEST_F(GitHubCommitTest, BinaryFilesLandByteForByteAsBase64Blobs) {
  const std::string png = PngBytes();
  Result<CommitFilesResult> c = gh_->CommitFiles(
      Commit({{"public/favicon.png", png}, {"pages/index.tsx", "export default 2;\n"}}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->changed);
  EXPECT_EQ(Read("public/favicon.png"), png);
  EXPECT_EQ(Read("pages/index.tsx"), "export default 2;\n");
  std::ifstream on_disk(dir_ / "data" / "repos" / "acme" / "t" / "branches" / "main" / "public" /
                            "favicon.png",
                        std::ios::binary);
  std::ostringstream bytes;
  bytes << on_disk.rdbuf();
  EXPECT_EQ(bytes.str(), png);  // the emulator's repository holds exactly these bytes
  int blobs = 0;
  for (const emulator::LogEntry& e : emu_->log().Entries()) {
    blobs += e.method == "POST" && e.path == "/repos/acme/t/git/blobs";
  }
  EXPECT_EQ(blobs, 1);  // only the binary file; text stays inline

  // Content-addressed: the same files again find the head and make no commit.
  Result<CommitFilesResult> again = gh_->CommitFiles(
      Commit({{"public/favicon.png", png}, {"pages/index.tsx", "export default 2;\n"}}));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(again->changed);
  EXPECT_EQ(emu_->log().Count("commit", "acme/t"), 1);
}

TEST_F(GitHubCommitTest, MessageThatIsNotUtf8IsSentNotThrown) {
  CommitFilesRequest req = Commit({{"a.txt", "1\n"}});
  req.message = std::string("reason cut inside a character: \xF0\x9F\x9A");
  Result<CommitFilesResult> c = gh_->CommitFiles(req);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  Result<GitCommitInfo> info = gh_->GetCommit("t", c->commit_sha);
  ASSERT_TRUE(info.ok());
  EXPECT_NE(info->message.find("character: \xEF\xBF\xBD"), std::string::npos);  // U+FFFD
}

}  // namespace
}  // namespace slipway::activities
