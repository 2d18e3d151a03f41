// activities/github_branch_test.cc: GitHubClient::FastForwardBranch, the compare-and-set that
// moves a production branch to a verified commit: the request GitHub documents (PATCH
// git/refs/heads/{branch} with force:false), its 422 answer, and the emulator's behaviour.
#include <gtest/gtest.h>

#include "activities/emulator_fixture.h"
#include "activities/github_client.h"

namespace slipway::activities {
namespace {

using nlohmann::json;

class GitHubBranchTest : public testing::EmulatorFixture {
 protected:
  void SetUp() override {
    EmulatorFixture::SetUp();
    StartEmulator();
    gh_ = std::make_unique<GitHubClient>(http_, Config().github, [](int64_t) {});
    ASSERT_TRUE(gh_->CreateRepoFromTemplate({"t", "", true}).ok());
    base_ = *gh_->GetBranchHead("t", "main");
    ASSERT_TRUE(gh_->CreateBranch("t", "production", base_).ok());
    ASSERT_TRUE(gh_->CreateBranch("t", "slipway/t/d1", base_).ok());
    CommitFilesRequest c;
    c.repo = "t";
    c.branch = "slipway/t/d1";
    c.files = {{"websiteData.json", "{\"siteName\": \"Acme\"}\n"}};
    c.message = "Save website data";
    Result<CommitFilesResult> r = gh_->CommitFiles(c);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    verified_ = r->commit_sha;
  }
  std::unique_ptr<GitHubClient> gh_;
  std::string base_, verified_;
};

TEST_F(GitHubBranchTest, MovesTheBranchFromTheExpectedHeadOnce) {
  Result<bool> moved = gh_->FastForwardBranch("t", "production", base_, verified_);
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_TRUE(*moved);
  EXPECT_EQ(*gh_->GetBranchHead("t", "production"), verified_);
  Result<bool> again = gh_->FastForwardBranch("t", "production", base_, verified_);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(*again);  // a repeated attempt finds it done
  EXPECT_EQ(emu_->log().Count("branch_moved"), 1);
}

TEST_F(GitHubBranchTest, ABranchSomeoneMovedIsAConflictNamingBothShasAndKeepsTheirCommit) {
  PutFileRequest human{"t", "notes.md", "production", "pushed by a human\n", "human push", {}};
  Result<PutFileResult> pushed = gh_->PutFile(human);
  ASSERT_TRUE(pushed.ok()) << pushed.status().ToString();
  Result<bool> moved = gh_->FastForwardBranch("t", "production", base_, verified_);
  ASSERT_FALSE(moved.ok());
  EXPECT_EQ(moved.status().code(), Code::kConflict);
  EXPECT_NE(moved.status().message().find(pushed->commit_sha), std::string::npos)
      << moved.status().message();
  EXPECT_NE(moved.status().message().find(base_), std::string::npos);
  EXPECT_EQ(*gh_->GetBranchHead("t", "production"), pushed->commit_sha);
}

TEST_F(GitHubBranchTest, RefusesBadShasBeforeAnyRequest) {
  EXPECT_EQ(gh_->FastForwardBranch("t", "production", "nope", verified_).status().field(),
            "from_sha");
  EXPECT_EQ(gh_->FastForwardBranch("t", "production", base_, "").status().field(), "to_sha");
  EXPECT_EQ(gh_->FastForwardBranch("t", "bad..name", base_, verified_).status().field(),
            "branch");
}

// GitHub's documented shapes: PATCH /repos/{o}/{r}/git/refs/heads/{b} {"sha", "force": false};
// a head that moved meanwhile answers 422 {"message": "Update is not a fast forward"}.
class RacingRefs : public HttpClient {
 public:
  Result<HttpResponse> Send(const HttpRequest& r) override {
    requests.push_back(r);
    HttpResponse resp;
    resp.headers.Add("Content-Type", "application/json");
    if (r.method == "GET") {
      resp.status = 200;
      resp.body = json{{"ref", "refs/heads/production"}, {"node_id", "REF_1"},
                       {"object", {{"type", "commit"}, {"sha", std::string(40, 'a')}}}}
                      .dump();
    } else {
      resp.status = 422;
      resp.body = R"({"message": "Update is not a fast forward",
                      "documentation_url": "https://docs.github.com/rest/git/refs#update-a-reference"})";
    }
    return resp;
  }
  std::vector<HttpRequest> requests;
};

TEST(GitHubBranchShapesTest, NotAFastForwardIsAConflictAndNeverForced) {
  RacingRefs http;
  GitHubConfig c;
  c.api_url = "https://api.github.test";
  c.token = "ghp_test";
  c.owner = "acme";
  GitHubClient gh(http, c, [](int64_t) {});
  Result<bool> moved =
      gh.FastForwardBranch("t", "production", std::string(40, 'a'), std::string(40, 'b'));
  ASSERT_FALSE(moved.ok());
  EXPECT_EQ(moved.status().code(), Code::kConflict) << moved.status().ToString();
  ASSERT_EQ(http.requests.size(), 2u);
  EXPECT_EQ(http.requests[1].method, "PATCH");
  EXPECT_NE(http.requests[1].url.find("/repos/acme/t/git/refs/heads/production"),
            std::string::npos);
  json body = json::parse(http.requests[1].body);
  EXPECT_EQ(body["force"], false);
  EXPECT_EQ(body["sha"], std::string(40, 'b'));
}

}  // namespace
}  // namespace slipway::activities
