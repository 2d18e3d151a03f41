// activities/url_names_test.cc: names never turn into another resource's URL. The curl client
// sends a path exactly as built (CURLOPT_PATH_AS_IS), and the GitHub and Vercel clients refuse
// traversing refs, ids and paths before any request leaves (the emulator's log stays empty).
#include <gtest/gtest.h>

#include "activities/emulator_fixture.h"
#include "activities/github_client.h"
#include "activities/rest_util.h"
#include "activities/vercel_client.h"

namespace slipway::activities {
namespace {

TEST(CheckUrlPathTest, RefusesDotSegmentsPlainOrEncoded) {
  for (const char* ok : {"https://api.github.com/repos/acme/t1/git/ref/heads/feature/x",
                         "http://127.0.0.1:9/v13/deployments/dpl_1?teamId=..",
                         "https://h/a..b/.c/d.", "https://h", "https://h/"}) {
    EXPECT_TRUE(CheckUrlPath(ok).ok()) << ok;
  }
  for (const char* bad : {"https://h/repos/tmpl/site/tarball/../../../acme/other/tarball/x",
                          "https://h/a/..", "https://h/a/./b", "https://h/a/%2e%2E/b",
                          "https://h/a/.%2e?x=1", "https://h/a/%2E#f", "/a/../b"}) {
    Status st = CheckUrlPath(bad);
    EXPECT_EQ(st.code(), Code::kInvalidArgument) << bad;
    EXPECT_EQ(st.field(), "path") << bad;
  }
}

class UrlNamesTest : public testing::EmulatorFixture {
 protected:
  void SetUp() override {
    EmulatorFixture::SetUp();
    StartEmulator();
    gh_ = std::make_unique<GitHubClient>(http_, Config().github);
    GitHubConfig tc = Config().github;
    tc.owner = tc.template_owner;
    template_gh_ = std::make_unique<GitHubClient>(http_, tc);
    vercel_ = std::make_unique<VercelClient>(http_, Config().vercel);
  }
  size_t Requests() const { return emu_->log().Entries().size(); }
  bool AnyRequestMentions(const std::string& text) const {
    for (const auto& e : emu_->log().Entries()) {
      if (e.path.find(text) != std::string::npos || e.subject.find(text) != std::string::npos) {
        return true;
      }
    }
    return false;
  }
  std::unique_ptr<GitHubClient> gh_;
  std::unique_ptr<GitHubClient> template_gh_;
  std::unique_ptr<VercelClient> vercel_;
};

TEST_F(UrlNamesTest, CurlSendsThePathAsIs) {
  HttpRequest r;
  r.url = emu_->base_url() + "/repos/tmpl/site/tarball/../../../acme/x/./y";
  r.timeout_ms = 5000;
  r.headers.Add("Authorization", std::string("Bearer ") + testing::kToken);
  ASSERT_TRUE(http_.Send(r).ok());
  std::vector<emulator::LogEntry> log = emu_->log().Entries();
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log.back().path, "/repos/tmpl/site/tarball/../../../acme/x/./y");
}

// The attack on main: the template client downloading "../../../acme/other/tarball/main"
// fetched the other tenant's repository with the service token.
TEST_F(UrlNamesTest, TraversingTemplateRefIsRefusedBeforeAnyRequest) {
  ASSERT_TRUE(gh_->CreateRepoFromTemplate({"other", "victim", true}).ok());
  const size_t before = Requests();
  Result<std::string> tgz = template_gh_->DownloadTarball("site", "../../../acme/other/tarball/main");
  EXPECT_EQ(tgz.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(tgz.status().field(), "ref");
  EXPECT_EQ(Requests(), before);
}

TEST_F(UrlNamesTest, TraversingBranchShaAndPathAreRefusedBeforeAnyRequest) {
  ASSERT_TRUE(gh_->CreateRepoFromTemplate({"t1", "tenant", true}).ok());
  const size_t before = Requests();
  EXPECT_EQ(gh_->GetBranchHead("t1", "../../../../other/git/ref/heads/main").status().field(),
            "branch");
  EXPECT_EQ(gh_->GetCommit("t1", "../../other").status().field(), "sha");
  EXPECT_EQ(gh_->CreateBranch("t1", "a..b", std::string(40, 'a')).status().field(), "branch");
  EXPECT_EQ(gh_->GetFile("t1", "websiteData.json", "x/../../y").status().field(), "ref");
  EXPECT_EQ(gh_->GetFile("t1", "../../../other/contents/secret", "").status().field(), "path");
  EXPECT_EQ(gh_->GetRepo("..").status().field(), "path");
  EXPECT_EQ(gh_->CreateRepoFromTemplate({"../other", "", true}).status().field(), "name");
  EXPECT_EQ(Requests(), before);
  EXPECT_FALSE(AnyRequestMentions("other"));
}

TEST_F(UrlNamesTest, VercelIdsAndDomainsAreCheckedBeforeAnyRequest) {
  const size_t before = Requests();
  EXPECT_EQ(vercel_->GetDeployment("../../v9/projects/prj_other").status().field(),
            "deployment_id");
  EXPECT_EQ(vercel_->Rollback("prj_1", "..").field(), "deployment_id");
  EXPECT_EQ(vercel_->AddDomain("prj_1", "a.com/../../x").status().field(), "domain");
  EXPECT_EQ(vercel_->VerifyDomain("..", "www.a.com").status().field(), "project");
  EXPECT_EQ(vercel_->GetProject("..").status().field(), "project");
  EXPECT_EQ(Requests(), before);
}

}  // namespace
}  // namespace slipway::activities
