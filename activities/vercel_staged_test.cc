// activities/vercel_staged_test.cc: staged production deployments and their promotion, the
// project's lastAliasRequest, and deployment origins: against the shapes of Vercel's docs
// (shared/reference/external-apis.md B.2, B.4, B.8) and against the emulator.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "activities/emulator_fixture.h"
#include "activities/vercel_client.h"

namespace slipway::activities {
namespace {

using nlohmann::json;

// Answers from a script keyed by "METHOD path" (query left out); records every request.
class ScriptedHttp : public HttpClient {
 public:
  Result<HttpResponse> Send(const HttpRequest& r) override {
    requests.push_back(r);
    std::string path = r.url.substr(r.url.find('/', r.url.find("//") + 2));
    path = path.substr(0, path.find('?'));
    HttpResponse resp;
    auto it = answers.find(r.method + " " + path);
    resp.status = it == answers.end() ? 404 : it->second.first;
    resp.body = it == answers.end() ? R"({"error":{"code":"not_found","message":"x"}})"
                                    : it->second.second;
    resp.headers.Add("Content-Type", "application/json");
    return resp;
  }
  std::map<std::string, std::pair<int, std::string>> answers;
  std::vector<HttpRequest> requests;
};

VercelConfig DocConfig() {
  VercelConfig c;
  c.api_url = "https://api.vercel.test";
  c.token = "vercel-test-token";
  return c;
}

TEST(DeploymentOriginTest, HostNameOfTheRealShapeGetsHttps) {
  // B.0: a deployment's url is a host name only, no scheme.
  EXPECT_EQ(DeploymentOrigin("tenant-foo-3xyzabcdef-acme.vercel.app"),
            "https://tenant-foo-3xyzabcdef-acme.vercel.app");
}

TEST(DeploymentOriginTest, UrlWithASchemeIsUsedAsItIs) {
  EXPECT_EQ(DeploymentOrigin("http://127.0.0.1:1234"), "http://127.0.0.1:1234");
  EXPECT_EQ(DeploymentOrigin("https://site.example"), "https://site.example");
  EXPECT_EQ(DeploymentOrigin("HTTP://127.0.0.1:1234"), "HTTP://127.0.0.1:1234");
  EXPECT_EQ(DeploymentOrigin("httpbin.example"), "https://httpbin.example");
}

TEST(VercelDocShapesTest, StagedDeploymentAsksForNoDomainAssignment) {
  ScriptedHttp http;
  http.answers["GET /v9/projects/prj_9a8b7c6d5e4f"] = {200, R"({"id": "prj_9a8b7c6d5e4f",
      "name": "tenant-foo", "accountId": "team_abc123", "framework": "nextjs",
      "latestDeployments": [], "targets": {}})"};
  http.answers["GET /v7/deployments"] = {200, R"({"pagination": {"count": 0, "next": null,
      "prev": null}, "deployments": []})"};
  http.answers["POST /v13/deployments"] = {200, R"({"id": "dpl_3xYzAbCdEf",
      "url": "tenant-foo-3xyzabcdef-acme.vercel.app", "name": "tenant-foo",
      "projectId": "prj_9a8b7c6d5e4f", "target": "production", "readyState": "QUEUED",
      "status": "QUEUED", "createdAt": 1756720100000, "aliasAssigned": false,
      "aliasError": null, "alias": []})"};
  VercelClient vc(http, DocConfig());
  DeploymentSpec spec;
  spec.project = "prj_9a8b7c6d5e4f";
  spec.target = "production";
  spec.staged = true;
  spec.git_org = "acme-sites";
  spec.git_repo = "tenant-foo";
  spec.git_ref = "slipway/t1/deploy-1";
  spec.git_sha = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00";
  spec.idempotency_key = "t1:deploy-1/deploy#d1";
  Result<VercelDeployment> d = vc.CreateDeployment(spec);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->id, "dpl_3xYzAbCdEf");
  EXPECT_EQ(DeploymentOrigin(d->url), "https://tenant-foo-3xyzabcdef-acme.vercel.app");
  json body = json::parse(http.requests.back().body);
  EXPECT_EQ(body["target"], "production");
  EXPECT_EQ(body["autoAssignCustomDomains"], false);
  EXPECT_EQ(body["gitSource"]["ref"], "slipway/t1/deploy-1");
}

TEST(VercelDocShapesTest, NotStagedDeploymentLeavesAssignmentToTheProject) {
  ScriptedHttp http;
  http.answers["GET /v9/projects/p1"] = {200, R"({"id": "p1", "name": "n", "targets": {}})"};
  http.answers["POST /v13/deployments"] = {200, R"({"id": "dpl_1", "url": "n-1.vercel.app",
      "readyState": "QUEUED"})"};
  VercelClient vc(http, DocConfig());
  DeploymentSpec spec;
  spec.project = "p1";
  spec.target = "production";
  ASSERT_TRUE(vc.CreateDeployment(spec).ok());
  EXPECT_FALSE(json::parse(http.requests.back().body).contains("autoAssignCustomDomains"));
}

TEST(VercelDocShapesTest, ProjectCarriesItsLastAliasRequest) {
  // B.2: lastAliasRequest {fromDeploymentId, toDeploymentId, jobStatus, requestedAt, type}.
  ScriptedHttp http;
  http.answers["GET /v9/projects/prj_9a8b7c6d5e4f"] = {200, R"({"id": "prj_9a8b7c6d5e4f",
      "name": "tenant-foo", "autoAssignCustomDomains": true,
      "targets": {"production": {"id": "dpl_old", "url": "tenant-foo-old.vercel.app",
                                 "alias": ["www.foo-bakery.com"], "readyState": "READY"}},
      "lastAliasRequest": {"fromDeploymentId": "dpl_old", "toDeploymentId": "dpl_3xYzAbCdEf",
                           "jobStatus": "in-progress", "requestedAt": 1756720300000,
                           "type": "promote"}})"};
  VercelClient vc(http, DocConfig());
  Result<VercelProject> p = vc.GetProject("prj_9a8b7c6d5e4f");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->production_deployment_id, "dpl_old");
  EXPECT_EQ(p->last_alias_request.from_deployment_id, "dpl_old");
  EXPECT_EQ(p->last_alias_request.to_deployment_id, "dpl_3xYzAbCdEf");
  EXPECT_EQ(p->last_alias_request.job_status, "in-progress");
  EXPECT_EQ(p->last_alias_request.type, "promote");
  EXPECT_EQ(p->last_alias_request.requested_at, 1756720300000);
  EXPECT_FALSE(p->last_alias_request.Done());
}

TEST(VercelDocShapesTest, PromoteAnswers201WithNoBody) {
  ScriptedHttp http;
  http.answers["GET /v9/projects/p1"] = {200, R"({"id": "p1", "name": "n", "targets": {}})"};
  http.answers["POST /v10/projects/p1/promote/dpl_1"] = {201, ""};
  VercelClient vc(http, DocConfig());
  Status st = vc.Promote("p1", "dpl_1");
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(http.requests.back().method, "POST");
}

class VercelStagedTest : public testing::EmulatorFixture {
 protected:
  void SetUp() override {
    EmulatorFixture::SetUp();
    options_.deploy_delay_ms = 100;
    StartEmulator();
    vc_ = std::make_unique<VercelClient>(http_, Config().vercel);
    ProjectSpec spec;
    spec.name = "site";
    ASSERT_TRUE(vc_->CreateProject(spec).ok());
  }
  DeploymentSpec Spec(const std::string& key, bool staged) {
    DeploymentSpec d;
    d.project = "site";
    d.target = "production";
    d.git_org = "acme";
    d.git_repo = "site";
    d.git_ref = "main";
    d.idempotency_key = key;
    d.staged = staged;
    return d;
  }
  // Bounded polling on the emulator's own clock.
  template <class Fn>
  bool Eventually(Fn done) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  std::unique_ptr<VercelClient> vc_;
};

TEST_F(VercelStagedTest, StagedDeploymentIsReadyButNotProductionUntilPromoted) {
  Result<VercelDeployment> live = vc_->CreateDeployment(Spec("k1", false));
  ASSERT_TRUE(live.ok());
  ASSERT_TRUE(Eventually([&] { return vc_->GetProject("site")->production_deployment_id == live->id; }));
  Result<VercelDeployment> staged = vc_->CreateDeployment(Spec("k2", true));
  ASSERT_TRUE(staged.ok());
  ASSERT_TRUE(Eventually([&] { return vc_->GetDeployment(staged->id)->Ready(); }));
  EXPECT_EQ(vc_->GetDeployment(staged->id)->ready_substate, "STAGED");
  EXPECT_EQ(vc_->GetProject("site")->production_deployment_id, live->id);

  ASSERT_TRUE(vc_->Promote("site", staged->id).ok());
  Result<VercelProject> p = vc_->GetProject("site");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->last_alias_request.type, "promote");
  EXPECT_EQ(p->last_alias_request.to_deployment_id, staged->id);
  EXPECT_EQ(p->last_alias_request.from_deployment_id, live->id);
  EXPECT_FALSE(p->last_alias_request.Done());  // the alias job runs on
  EXPECT_EQ(p->production_deployment_id, live->id);
  ASSERT_TRUE(Eventually([&] { return vc_->GetProject("site")->last_alias_request.Done(); }));
  EXPECT_EQ(vc_->GetProject("site")->production_deployment_id, staged->id);
  EXPECT_EQ(vc_->GetDeployment(staged->id)->ready_substate, "PROMOTED");
  EXPECT_EQ(emu_->log().Count("promoted"), 1);
}

TEST_F(VercelStagedTest, RollbackMovesTheAliasesAtOnce) {
  Result<VercelDeployment> a = vc_->CreateDeployment(Spec("k1", false));
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(Eventually([&] { return vc_->GetProject("site")->production_deployment_id == a->id; }));
  Result<VercelDeployment> b = vc_->CreateDeployment(Spec("k2", false));
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(Eventually([&] { return vc_->GetProject("site")->production_deployment_id == b->id; }));
  ASSERT_TRUE(vc_->Rollback("site", a->id).ok());
  Result<VercelProject> p = vc_->GetProject("site");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->production_deployment_id, a->id);
  EXPECT_EQ(p->last_alias_request.type, "rollback");
  EXPECT_TRUE(p->last_alias_request.Done());
}

}  // namespace
}  // namespace slipway::activities
