// activities/vercel_domains_test.cc: VercelClient::RemoveDomain, on the shapes Vercel documents
// (DELETE /v9/projects/{idOrName}/domains/{domain}: 200 with an empty object; 404 when the
// domain is not on the project) through a canned HTTP client, and against the emulator:
// removing twice is success twice, with one effect.
#include <gtest/gtest.h>

#include <vector>

#include "activities/emulator_fixture.h"
#include "activities/vercel_client.h"

namespace slipway::activities {
namespace {

// Answers every request with the next canned response; keeps what it was sent.
class CannedHttp final : public HttpClient {
 public:
  Result<HttpResponse> Send(const HttpRequest& request) override {
    sent.push_back(request);
    HttpResponse r;
    r.status = answers.at(sent.size() - 1).first;
    r.body = answers.at(sent.size() - 1).second;
    return r;
  }
  std::vector<std::pair<int, std::string>> answers;
  std::vector<HttpRequest> sent;
};

VercelConfig Team() {
  VercelConfig c;
  c.api_url = "https://api.vercel.example";
  c.token = "vc_secret";
  c.team_id = "team_abc123";
  return c;
}

TEST(VercelDomainsTest, RemoveSendsTheDocumentedDeleteAndReadsItsAnswers) {
  CannedHttp http;
  http.answers = {{200, "{}"},
                  {404, R"({"error":{"code":"not_found","message":"The domain was not found"}})"},
                  {403, R"({"error":{"code":"forbidden","message":"Not authorized"}})"},
                  {429, R"({"error":{"code":"rate_limited","message":"slow down"}})"}};
  VercelClient vc(http, Team());
  Result<bool> removed = vc.RemoveDomain("prj_9a8b7c6d5e4f", "www.foo-bakery.com");
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_TRUE(*removed);
  EXPECT_EQ(http.sent[0].method, "DELETE");
  EXPECT_EQ(http.sent[0].url, "https://api.vercel.example/v9/projects/prj_9a8b7c6d5e4f/domains/"
                              "www.foo-bakery.com?teamId=team_abc123");
  Result<bool> gone = vc.RemoveDomain("prj_9a8b7c6d5e4f", "www.foo-bakery.com");
  ASSERT_TRUE(gone.ok()) << gone.status().ToString();
  EXPECT_FALSE(*gone);  // not there (any more): done
  EXPECT_EQ(vc.RemoveDomain("prj_1", "www.foo-bakery.com").status().code(), Code::kPermanent);
  EXPECT_EQ(vc.RemoveDomain("prj_1", "www.foo-bakery.com").status().code(), Code::kUnavailable);
}

TEST(VercelDomainsTest, RemoveChecksItsPathSegmentsBeforeSending) {
  CannedHttp http;
  VercelClient vc(http, Team());
  EXPECT_EQ(vc.RemoveDomain("prj_1", "../x").status().field(), "domain");
  EXPECT_EQ(vc.RemoveDomain("..", "www.foo-bakery.com").status().field(), "project");
  EXPECT_TRUE(http.sent.empty());
}

class VercelDomainsEmulatorTest : public testing::EmulatorFixture {};

TEST_F(VercelDomainsEmulatorTest, RemovingTwiceIsSuccessTwiceWithOneEffect) {
  StartEmulator();
  VercelClient vc(http_, Config().vercel);
  ProjectSpec spec;
  spec.name = "tenant-one";
  Result<VercelProject> p = vc.CreateProject(spec);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_TRUE(vc.AddDomain(p->id, "www.one-site.com").ok());
  Result<bool> first = vc.RemoveDomain(p->id, "www.one-site.com");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(*first);
  EXPECT_EQ(vc.GetDomain(p->id, "www.one-site.com").status().code(), Code::kNotFound);
  Result<bool> again = vc.RemoveDomain(p->id, "www.one-site.com");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(*again);
  EXPECT_EQ(emu_->log().Count("domain_removed", "www.one-site.com"), 1);
  // Free again: another project may take it.
  spec.name = "tenant-two";
  Result<VercelProject> other = vc.CreateProject(spec);
  ASSERT_TRUE(other.ok());
  Result<DomainStatus> moved = vc.AddDomain(other->id, "www.one-site.com");
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_TRUE(moved->created);
}

}  // namespace
}  // namespace slipway::activities
