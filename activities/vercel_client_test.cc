#include "activities/vercel_client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "activities/emulator_fixture.h"

namespace slipway::activities {
namespace {

class VercelClientTest : public testing::EmulatorFixture {
 protected:
  void SetUp() override {
    EmulatorFixture::SetUp();
    StartEmulator();
    vc_ = std::make_unique<VercelClient>(http_, Config().vercel);
  }
  ProjectSpec Spec(const std::string& name) {
    return ProjectSpec{name, "nextjs", "acme/" + name,
                       {{"SITE_ID", "foo", {"production", "preview"}, "plain"},
                        {"API_SECRET", "xyz", {"production"}, "encrypted"}}};
  }
  DeploymentSpec Deploy(const std::string& project, const std::string& key) {
    DeploymentSpec d;
    d.project = project;
    d.target = "production";
    d.git_org = "acme";
    d.git_repo = project;
    d.git_ref = "main";
    d.idempotency_key = key;
    return d;
  }
  // Bounded polling: the emulator moves deployments along on its own clock.
  VercelDeployment WaitTerminal(const std::string& id) {
    VercelDeployment d;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      Result<VercelDeployment> got = vc_->GetDeployment(id);
      EXPECT_TRUE(got.ok()) << got.status().ToString();
      if (!got.ok()) break;
      d = *got;
      if (d.Terminal()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return d;
  }
  std::unique_ptr<VercelClient> vc_;
};

TEST_F(VercelClientTest, CreatesProjectOnceAndReusesIt) {
  Result<VercelProject> first = vc_->CreateProject(Spec("tenant-foo"));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->created);
  EXPECT_EQ(first->id.rfind("prj_", 0), 0u);
  Result<VercelProject> second = vc_->CreateProject(Spec("tenant-foo"));
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->created);
  EXPECT_EQ(second->id, first->id);
  EXPECT_EQ(emu_->log().Count("project_created"), 1);
}

TEST_F(VercelClientTest, DeploymentBecomesReadyAndServesProduction) {
  options_.deploy_delay_ms = 200;
  StartEmulator();
  vc_ = std::make_unique<VercelClient>(http_, Config().vercel);
  Result<VercelProject> p = vc_->CreateProject(Spec("site"));
  ASSERT_TRUE(p.ok());
  Result<VercelDeployment> d = vc_->CreateDeployment(Deploy("site", "wf1/deploy"));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->ready_state, "QUEUED");
  VercelDeployment done = WaitTerminal(d->id);
  EXPECT_TRUE(done.Ready()) << done.ready_state;
  EXPECT_EQ(vc_->GetProject("site")->production_deployment_id, d->id);
}

TEST_F(VercelClientTest, RepeatedDeploymentWithSameKeyIsNotCreatedTwice) {
  ASSERT_TRUE(vc_->CreateProject(Spec("site")).ok());
  Result<VercelDeployment> first = vc_->CreateDeployment(Deploy("site", "wf1/deploy"));
  Result<VercelDeployment> second = vc_->CreateDeployment(Deploy("site", "wf1/deploy"));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(second->id, first->id);
  EXPECT_FALSE(second->created);
  EXPECT_EQ(emu_->log().Count("deployment_created"), 1);
  Result<VercelDeployment> other = vc_->CreateDeployment(Deploy("site", "wf2/deploy"));
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->id, first->id);
}

TEST_F(VercelClientTest, FailedBuildSurfacesTheError) {
  Faults(R"({"failing_projects":["broken"]})");
  ASSERT_TRUE(vc_->CreateProject(Spec("broken")).ok());
  Result<VercelDeployment> d = vc_->CreateDeployment(Deploy("broken", ""));
  ASSERT_TRUE(d.ok());
  VercelDeployment done = WaitTerminal(d->id);
  EXPECT_EQ(done.ready_state, "ERROR");
  EXPECT_TRUE(done.Failed());
  EXPECT_FALSE(done.error_message.empty());
}

TEST_F(VercelClientTest, DomainStaysPendingWithRecordsUntilVerified) {
  ASSERT_TRUE(vc_->CreateProject(Spec("site")).ok());
  Result<DomainStatus> added = vc_->AddDomain("site", "www.foo-bakery.com");
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_TRUE(added->created);
  EXPECT_FALSE(added->verified);
  ASSERT_EQ(added->verification.size(), 1u);
  EXPECT_EQ(added->verification[0].type, "TXT");
  Result<DomainStatus> again = vc_->AddDomain("site", "www.foo-bakery.com");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(emu_->log().Count("domain_added"), 1);
  Result<DomainStatus> pending = vc_->VerifyDomain("site", "www.foo-bakery.com");
  ASSERT_TRUE(pending.ok()) << pending.status().ToString();
  EXPECT_FALSE(pending->verified);
  HttpRequest admin;
  admin.method = "POST";
  admin.url = emu_->base_url() + "/_admin/domains/www.foo-bakery.com/verify";
  ASSERT_EQ(http_.Send(admin)->status, 200);
  Result<DomainStatus> verified = vc_->VerifyDomain("site", "www.foo-bakery.com");
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->verified);
  EXPECT_TRUE(verified->verification.empty());
}

TEST_F(VercelClientTest, RollbackAndPromoteMoveProduction) {
  Result<VercelProject> p = vc_->CreateProject(Spec("site"));
  ASSERT_TRUE(p.ok());
  Result<VercelDeployment> v1 = vc_->CreateDeployment(Deploy("site", "v1"));
  ASSERT_TRUE(WaitTerminal(v1->id).Ready());
  Result<VercelDeployment> v2 = vc_->CreateDeployment(Deploy("site", "v2"));
  ASSERT_TRUE(WaitTerminal(v2->id).Ready());
  EXPECT_EQ(vc_->GetProject(p->id)->production_deployment_id, v2->id);
  ASSERT_TRUE(vc_->Rollback(p->id, v1->id).ok());
  ASSERT_TRUE(vc_->Rollback(p->id, v1->id).ok());  // repeat: no second effect
  EXPECT_EQ(emu_->log().Count("rolled_back"), 1);
  EXPECT_EQ(vc_->GetProject(p->id)->production_deployment_id, v1->id);
  ASSERT_TRUE(vc_->Promote(p->id, v2->id).ok());
  // The domains move in an alias job (lastAliasRequest): done within a few reads here.
  Result<VercelProject> after = vc_->GetProject(p->id);
  for (int i = 0; i < 10 && after.ok() && !after->last_alias_request.Done(); ++i) {
    after = vc_->GetProject(p->id);
  }
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->last_alias_request.Done());
  EXPECT_EQ(after->production_deployment_id, v2->id);
}

TEST_F(VercelClientTest, RateLimitCarriesRetryAfter) {
  Faults(R"({"rules":[{"path":"/v11/projects","status":429,"retry_after_s":4}]})");
  Status s = vc_->CreateProject(Spec("site")).status();
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_EQ(s.retry_after_ms(), 4000);
}

TEST_F(VercelClientTest, ServerErrorIsRetryable) {
  Faults(R"({"rules":[{"path":"/v9/projects/*","status":500}]})");
  EXPECT_EQ(vc_->CreateProject(Spec("site")).status().code(), Code::kUnavailable);
}

TEST_F(VercelClientTest, HungRequestIsDeadlineExceeded) {
  VercelConfig c = Config().vercel;
  c.timeout_ms = 200;
  VercelClient vc(http_, c);
  Faults(R"({"rules":[{"path":"/v9/projects/*","hang_ms":20000}]})");
  EXPECT_EQ(vc.GetProject("site").status().code(), Code::kDeadlineExceeded);
}

TEST_F(VercelClientTest, ConnectionRefusedIsUnavailable) {
  VercelConfig c = Config().vercel;
  c.api_url = "http://127.0.0.1:" + std::to_string(ClosedPort());
  VercelClient vc(http_, c);
  EXPECT_EQ(vc.GetProject("site").status().code(), Code::kUnavailable);
}

TEST_F(VercelClientTest, BadTokenIsPermanent) {
  VercelConfig c = Config().vercel;
  c.token = "wrong-token-value";
  VercelClient vc(http_, c);
  Status s = vc.CreateProject(Spec("site")).status();
  EXPECT_EQ(s.code(), Code::kPermanent);
  EXPECT_EQ(s.message().find("wrong-token-value"), std::string::npos);
}

TEST_F(VercelClientTest, UnknownDeploymentIsNotFound) {
  EXPECT_EQ(vc_->GetDeployment("dpl_missing").status().code(), Code::kNotFound);
}

TEST_F(VercelClientTest, BadRequestIsInvalidArgument) {
  ASSERT_TRUE(vc_->CreateProject(Spec("site")).ok());
  EXPECT_EQ(vc_->AddDomain("site", "not-a-domain").status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace slipway::activities
