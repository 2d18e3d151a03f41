// workflows/names_test.cc: names a tenant sends are validated as what they become (git refs,
// remote ids, host names, bounded integers), traversing refs never reach the emulator, and a
// custom domain belongs to one tenant until ops moves it with a domain_transfer.
#include <gtest/gtest.h>

#include "workflows/activities/deploy_activity.h"
#include "workflows/activities/domain_activity.h"
#include "workflows/activities/save_activity.h"
#include "workflows/deployment_workflow.h"
#include "workflows/domain_records.h"
#include "workflows/testing/workflow_fixture.h"

namespace slipway::workflows::testing {
namespace {

using nlohmann::json;
namespace st = engine::status;

class NamesTest : public WorkflowFixture {
 protected:
  Status StartStatus(const std::string& type, json in, const std::string& caller = "tenant:t1") {
    return engine_->Start({type, "t1", std::move(in), ""}, engine::Caller{caller}).status();
  }
  bool EmulatorSaw(const std::string& text) {
    for (const auto& e : emu_->log().Entries()) {
      if (e.path.find(text) != std::string::npos || e.subject.find(text) != std::string::npos) {
        return true;
      }
    }
    return false;
  }
};

TEST_F(NamesTest, DeploymentInputRefusesEachBadFieldByName) {
  const std::vector<std::pair<json, std::string>> cases = {
      {{{"template_ref", "../../../acme/t2/tarball/production"}}, "template_ref"},
      {{{"template_ref", "main@{1}"}}, "template_ref"},
      {{{"template_ref", 7}}, "template_ref"},
      {{{"ref", "../../../../t2/git/ref/heads/production"}}, "ref"},
      {{{"ref", "-x"}}, "ref"},
      {{{"ref", std::string(201, 'a')}}, "ref"},
      {{{"ref", ""}}, "ref"},
      {{{"custom_domain", "t2-dev.sites.test"}}, "custom_domain"},
      {{{"custom_domain", "SITES.TEST"}}, "custom_domain"},
      {{{"custom_domain", "a.b.sites.test"}}, "custom_domain"},
      {{{"custom_domain", "127.0.0.1"}}, "custom_domain"},
      {{{"custom_domain", "www.example.com/../x"}}, "custom_domain"},
      {{{"approval_timeout_s", 1e308}}, "approval_timeout_s"},
      {{{"approval_timeout_s", -1}}, "approval_timeout_s"},
      {{{"approval_timeout_s", 0}}, "approval_timeout_s"},
      {{{"approval_timeout_s", 1.5}}, "approval_timeout_s"},
      {{{"approval_timeout_s", "60"}}, "approval_timeout_s"},
      {{{"approval_timeout_s", 7 * 24 * 3600 + 1}}, "approval_timeout_s"},
      {{{"approval_timeout_s", UINT64_MAX}}, "approval_timeout_s"},
      {{{"max_autofix_rounds", 4294967296LL}}, "max_autofix_rounds"},
      {{{"max_autofix_rounds", -1}}, "max_autofix_rounds"},
  };
  for (const auto& [in, field] : cases) {
    Status s = StartStatus("deployment", in);
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << in.dump();
    EXPECT_EQ(s.field(), field) << in.dump();
  }
  EXPECT_TRUE(emu_->log().Entries().empty());
}

TEST_F(NamesTest, DeploymentInputAcceptsOrdinaryValues) {
  json in = {{"ref", "production"},  {"template_ref", "release/v2.1"},
             {"custom_domain", "www.Acme-T1.com"}, {"approval_timeout_s", 7 * 24 * 3600},
             {"max_autofix_rounds", 0}, {"require_approval", true}};
  EXPECT_TRUE(ValidateDeploymentInput(in, "sites.test").ok());
  EXPECT_TRUE(ValidateDeploymentInput({{"template_ref", std::string(40, 'f')}}, "").ok());
}

TEST_F(NamesTest, RollbackTemplateUpdateAndTransferInputsAreChecked) {
  EXPECT_EQ(StartStatus("rollback", {{"deployment_id", "../../v9/projects/prj_x"}}, "ops:o").field(),
            "deployment_id");
  EXPECT_EQ(StartStatus("rollback", {{"deployment_id", 5}}, "ops:o").field(), "deployment_id");
  EXPECT_EQ(StartStatus("template_update", {{"template_ref", "a/../b"}}, "ops:o").field(),
            "template_ref");
  EXPECT_EQ(StartStatus("template_update", {{"template_ref", "main"}, {"max_parallel", 1e308}},
                        "ops:o").field(),
            "max_parallel");
  EXPECT_EQ(StartStatus("template_update", {{"template_ref", "main"}, {"max_parallel", 51}},
                        "ops:o").field(),
            "max_parallel");
  EXPECT_EQ(StartStatus("domain_transfer", json::object(), "ops:o").field(), "domain");
  EXPECT_EQ(StartStatus("domain_transfer", {{"domain", "t1-dev.sites.test"}}, "ops:o").field(),
            "domain");
}

// Defence in depth: a traversing template_ref that reached the save step anyway (an input
// stored before validation existed) fails it without a request for the other repository.
TEST_F(NamesTest, SaveStepRefusesATraversingTemplateRefWithoutTouchingTheOtherTenant) {
  MakeTenant("t1");
  MakeTenant("t2");
  const size_t before = emu_->log().Entries().size();
  SaveActivity save(registry_->deps(), registry_->tenants());
  engine::ActivityCall call;
  call.workflow_id = "wf-attack";
  call.workflow_type = "deployment";
  call.tenant = "t1";
  call.step = "save";
  call.idempotency_key = "wf-attack/save";
  call.input = {{"template_ref", "../../../acme/t2/tarball/production"}};
  Result<json> out = save.Run(call);
  EXPECT_EQ(out.status().code(), Code::kInvalidArgument) << out.status().ToString();
  const auto log = emu_->log().Entries();
  for (size_t i = before; i < log.size(); ++i) {
    EXPECT_EQ(log[i].path.find("t2"), std::string::npos) << log[i].path;
    EXPECT_EQ(log[i].path.find("tarball"), std::string::npos) << log[i].path;
  }
}

TEST_F(NamesTest, AnotherTenantsDomainFailsAtSaveAndOpsCanMoveIt) {
  MakeTenant("t1");
  MakeTenant("t2");
  json in = {{"website_data", SiteData("A")}, {"custom_domain", "www.shared-site.com"}};
  auto first = RunUntilSettled(Start("deployment", "t1", in).instance.id);
  // DNS pending: the release completes, its domain watched apart (domain_watch).
  ASSERT_EQ(first.instance.status, st::kCompleted) << first.instance.error_json;
  ASSERT_EQ(ResultOf(first)["domain"]["status"], "pending");
  in["custom_domain"] = "WWW.Shared-Site.com";  // case does not make it another name
  auto second = RunUntilSettled(Start("deployment", "t2", in).instance.id);
  ASSERT_EQ(second.instance.status, st::kFailed);
  EXPECT_EQ(ErrorOf(second)["state"], "save_failed");  // before anything is committed or deployed
  const std::string message = ErrorOf(second)["cause"]["message"].get<std::string>();
  EXPECT_NE(message.find("belongs to another tenant"), std::string::npos) << message;
  EXPECT_EQ(message.find("t1"), std::string::npos) << "names the owner: " << message;
  EXPECT_EQ(EmuCount("domain_added"), 1);
  EXPECT_EQ(EmuCount("deployment_created"), 1);
  DomainRecords domains(*store_);
  EXPECT_EQ(domains.Owner("www.shared-site.com")->value_or(""), "t1");

  auto moved = engine_->Start({"domain_transfer", "t2", {{"domain", "www.shared-site.com"}}, ""},
                              engine::Caller{"ops:alice"});
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  auto done = RunUntilSettled(moved->instance.id);
  ASSERT_EQ(done.instance.status, st::kCompleted) << done.instance.error_json;
  EXPECT_EQ(ResultOf(done)["previous_tenant"], "t1");
  EXPECT_EQ(ResultOf(done)["tenant"], "t2");
  EXPECT_EQ(domains.Owner("www.shared-site.com")->value_or(""), "t2");
  EXPECT_EQ(domains.Claim("www.shared-site.com", "t1", "wf-x").code(), Code::kPermanent);
  EXPECT_TRUE(domains.Claim("www.shared-site.com", "t2", "wf-y").ok());
}

// Two tenants' deployments may both pass `save` before either claims: the domain step's
// compare-and-set claim decides, and the loser is refused before Vercel hears of it.
TEST_F(NamesTest, DomainStepRefusesADomainClaimedMeanwhile) {
  DomainRecords domains(*store_);
  ASSERT_TRUE(domains.Claim("www.raced.com", "t1", "wf-1").ok());
  DomainActivity step(registry_->deps(), domains, *engine_);
  engine::ActivityCall call;
  call.workflow_id = "wf-2";
  call.tenant = "t2";
  call.step = "domain";
  call.input = {{"custom_domain", "www.raced.com"}};
  call.outputs = {{"save", {{"project_id", "prj_t2"}}}};
  Result<json> out = step.Run(call);
  EXPECT_EQ(out.status().code(), Code::kPermanent) << out.status().ToString();
  call.input = {{"custom_domain", "t1-dev.sites.test"}};  // stored before validation refused it
  EXPECT_EQ(step.Run(call).status().code(), Code::kPermanent);
  EXPECT_TRUE(emu_->log().Entries().empty());
}

}  // namespace
}  // namespace slipway::workflows::testing
