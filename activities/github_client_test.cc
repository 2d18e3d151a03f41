#include "activities/github_client.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "activities/emulator_fixture.h"

namespace slipway::activities {
namespace {

class GitHubClientTest : public testing::EmulatorFixture {
 protected:
  void SetUp() override {
    EmulatorFixture::SetUp();
    StartEmulator();
    gh_ = std::make_unique<GitHubClient>(http_, Config().github);
  }
  GitHubRepo MakeRepo(const std::string& name) {
    Result<GitHubRepo> r = gh_->CreateRepoFromTemplate({name, "Site for " + name, true});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : GitHubRepo{};
  }
  PutFileRequest Put(const std::string& content) {
    return PutFileRequest{"t", "websiteData.json", "main", content, "Update websiteData.json", {}};
  }
  std::unique_ptr<GitHubClient> gh_;
};

TEST_F(GitHubClientTest, CreatesRepoFromTemplate) {
  GitHubRepo r = MakeRepo("tenant-foo");
  EXPECT_TRUE(r.created);
  EXPECT_EQ(r.full_name, "acme/tenant-foo");
  EXPECT_EQ(r.template_full_name, "tmpl/site");
  EXPECT_EQ(r.default_branch, "main");
}

TEST_F(GitHubClientTest, SecondCreateReturnsTheSameRepoWithOneEffect) {
  GitHubRepo first = MakeRepo("tenant-foo");
  GitHubRepo second = MakeRepo("tenant-foo");
  EXPECT_FALSE(second.created);
  EXPECT_EQ(second.id, first.id);
  EXPECT_EQ(emu_->log().Count("repo_created"), 1);
}

TEST_F(GitHubClientTest, LostRaceOnCreateStillSucceeds) {
  // The first look fails over to "absent" only if GET misses; simulate the race with a fault
  // that hides the repo from the first GET so POST answers 422 "name already exists".
  MakeRepo("raced");
  Faults(R"({"rules":[{"method":"GET","path":"/repos/acme/raced","status":404,"times":1}]})");
  Result<GitHubRepo> r = gh_->CreateRepoFromTemplate({"raced", "", true});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->created);
  EXPECT_EQ(emu_->log().Count("repo_created"), 1);
}

TEST_F(GitHubClientTest, ExistingRepoFromAnotherTemplateIsAlreadyExists) {
  GitHubConfig c = Config().github;
  c.owner = "tmpl";  // "tmpl/site" exists but is the template itself
  GitHubClient gh(http_, c);
  Result<GitHubRepo> r = gh.CreateRepoFromTemplate({"site", "", true});
  EXPECT_EQ(r.status().code(), Code::kAlreadyExists);
}

TEST_F(GitHubClientTest, PutFileCreatesUpdatesAndSkipsUnchanged) {
  MakeRepo("t");
  Result<PutFileResult> created = gh_->PutFile(Put("{\"v\":1}"));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_TRUE(created->changed);
  EXPECT_TRUE(created->created);
  Result<PutFileResult> same = gh_->PutFile(Put("{\"v\":1}"));
  ASSERT_TRUE(same.ok());
  EXPECT_FALSE(same->changed);
  EXPECT_EQ(same->commit_sha, created->commit_sha);
  Result<PutFileResult> updated = gh_->PutFile(Put("{\"v\":2}"));
  ASSERT_TRUE(updated.ok());
  EXPECT_TRUE(updated->changed);
  EXPECT_FALSE(updated->created);
  EXPECT_EQ(emu_->log().Count("commit", "acme/t"), 2);
  Result<std::string> head = gh_->GetBranchHead("t", "main");
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(*head, updated->commit_sha);
  Result<std::optional<GitHubFile>> file = gh_->GetFile("t", "websiteData.json", "main");
  ASSERT_TRUE(file.ok() && file->has_value());
  EXPECT_EQ((*file)->content, "{\"v\":2}");
}

TEST_F(GitHubClientTest, PutFileWithStaleBaseIsConflict) {
  MakeRepo("t");
  Result<PutFileResult> first = gh_->PutFile(Put("a"));
  ASSERT_TRUE(first.ok());
  PutFileRequest mine = Put("b");
  mine.base_sha = first->blob_sha;
  ASSERT_TRUE(gh_->PutFile(Put("c")).ok());  // someone else's edit lands first
  EXPECT_EQ(gh_->PutFile(mine).status().code(), Code::kConflict);
}

TEST_F(GitHubClientTest, RemoteStaleShaIsConflict) {
  MakeRepo("t");
  ASSERT_TRUE(gh_->PutFile(Put("a")).ok());
  Faults(R"({"rules":[{"method":"PUT","path":"/repos/acme/t/contents/*","status":409}]})");
  EXPECT_EQ(gh_->PutFile(Put("b")).status().code(), Code::kConflict);
}

TEST_F(GitHubClientTest, WebhookIsCreatedOnce) {
  MakeRepo("t");
  WebhookRequest w{"t", "https://slipway.example.com/hooks/github", "s3cr3t", {"push"}};
  Result<Webhook> first = gh_->CreateWebhook(w);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->created);
  Result<Webhook> second = gh_->CreateWebhook(w);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->created);
  EXPECT_EQ(second->id, first->id);
  EXPECT_EQ(emu_->log().Count("webhook_created"), 1);
}

TEST_F(GitHubClientTest, TarballFollowsRedirectAndUnpacks) {
  MakeRepo("t");
  Result<std::string> tgz = gh_->DownloadTarball("t", "main");
  ASSERT_TRUE(tgz.ok()) << tgz.status().ToString();
  std::string path = (dir_ / "src.tgz").string();
  std::ofstream(path, std::ios::binary) << *tgz;
  std::string cmd = "tar -tzf " + path;
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
  std::string listing;
  char buf[256];
  while (fgets(buf, sizeof buf, p.get()) != nullptr) listing += buf;
  EXPECT_NE(listing.find("/package.json"), std::string::npos) << listing;
  EXPECT_NE(listing.find("/pages/index.tsx"), std::string::npos) << listing;
}

TEST_F(GitHubClientTest, ServerErrorIsRetryable) {
  Faults(R"({"rules":[{"path":"/repos/*","status":502}]})");
  Status s = gh_->GetRepo("t").status();
  EXPECT_EQ(s.code(), Code::kUnavailable);
}

TEST_F(GitHubClientTest, TooManyRequestsCarriesRetryAfter) {
  Faults(R"({"rules":[{"path":"/repos/*","status":429,"retry_after_s":7}]})");
  Status s = gh_->CreateRepoFromTemplate({"t", "", true}).status();
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_EQ(s.retry_after_ms(), 7000);
}

TEST_F(GitHubClientTest, PrimaryRateLimitWaitsUntilReset) {
  Faults(R"({"rules":[{"path":"/repos/*","status":403,"rate_limit":true,"ratelimit_reset_s":120}]})");
  Status s = gh_->GetRepo("t").status();
  EXPECT_EQ(s.code(), Code::kUnavailable);
  ASSERT_TRUE(s.retry_after_ms().has_value());
  EXPECT_GT(*s.retry_after_ms(), 60'000);
  EXPECT_LE(*s.retry_after_ms(), 121'000);
}

TEST_F(GitHubClientTest, HungRequestIsDeadlineExceeded) {
  GitHubConfig c = Config().github;
  c.timeout_ms = 200;
  GitHubClient gh(http_, c);
  Faults(R"({"rules":[{"path":"/repos/*","hang_ms":20000}]})");
  EXPECT_EQ(gh.GetRepo("t").status().code(), Code::kDeadlineExceeded);
}

TEST_F(GitHubClientTest, ConnectionRefusedIsUnavailable) {
  GitHubConfig c = Config().github;
  c.api_url = "http://127.0.0.1:" + std::to_string(ClosedPort());
  GitHubClient gh(http_, c);
  EXPECT_EQ(gh.GetRepo("t").status().code(), Code::kUnavailable);
}

TEST_F(GitHubClientTest, BadTokenIsPermanentAndNotInTheMessage) {
  GitHubConfig c = Config().github;
  c.token = "ghp_wrongTokenwrongTokenwrongToken00";
  GitHubClient gh(http_, c);
  Status s = gh.CreateRepoFromTemplate({"t", "", true}).status();
  EXPECT_EQ(s.code(), Code::kPermanent);
  EXPECT_FALSE(s.retryable());
  EXPECT_EQ(s.message().find("wrongToken"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find(testing::kToken), std::string::npos);
}

TEST_F(GitHubClientTest, MissingTemplateIsPermanent) {
  GitHubConfig c = Config().github;
  c.template_repo = "no-such-template";
  GitHubClient gh(http_, c);
  EXPECT_EQ(gh.CreateRepoFromTemplate({"t", "", true}).status().code(), Code::kPermanent);
}

TEST_F(GitHubClientTest, ValidationFailureIsInvalidArgument) {
  MakeRepo("t");
  Faults(R"({"rules":[{"method":"POST","path":"/repos/acme/t/hooks","status":422}]})");
  Status s = gh_->CreateWebhook({"t", "https://x.example.com/h", "", {"push"}}).status();
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
}

TEST_F(GitHubClientTest, MissingBranchIsNotFound) {
  MakeRepo("t");
  EXPECT_EQ(gh_->GetBranchHead("t", "nope").status().code(), Code::kNotFound);
}

// The git data API's commit shape (GH-OAS git/get-commit), with a tree sha that is not one:
// a hostile or broken upstream. It keys build results every tenant shares, so it is refused.
class OneAnswerHttp : public HttpClient {
 public:
  explicit OneAnswerHttp(std::string body) : body_(std::move(body)) {}
  Result<HttpResponse> Send(const HttpRequest&) override {
    HttpResponse r;
    r.status = 200;
    r.body = body_;
    r.headers.Add("Content-Type", "application/json");
    return r;
  }

 private:
  std::string body_;
};

TEST(GitHubCommitShapeTest, ATreeShaThatIsNotFortyHexDigitsIsRefused) {
  const std::string sha(40, 'a');
  GitHubConfig c;
  c.api_url = "https://api.github.test";
  c.owner = "acme";
  for (const std::string& tree : {std::string("../../x"), std::string(41, 'b'), std::string(""),
                                  std::string(39, 'c') + "\n"}) {
    OneAnswerHttp http(nlohmann::json{{"sha", sha}, {"tree", {{"sha", tree}}}, {"parents", nlohmann::json::array()}}.dump());
    GitHubClient gh(http, c, [](int64_t) {});
    Result<GitCommitInfo> info = gh.GetCommit("site", sha);
    EXPECT_EQ(info.status().code(), Code::kUnavailable) << tree;
  }
  OneAnswerHttp good(nlohmann::json{{"sha", sha}, {"tree", {{"sha", std::string(40, 'B')}}}}.dump());
  GitHubClient gh(good, c, [](int64_t) {});
  Result<GitCommitInfo> info = gh.GetCommit("site", sha);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->tree_sha, std::string(40, 'B'));
}

}  // namespace
}  // namespace slipway::activities
