// workflows/webhook_secrets_test.cc: onboarding's webhook step against the emulator (one hook
// per repository, signed with the tenant's own secret, which appears in no output or history),
// the skipped step without SLIPWAY_PUBLIC_URL, and the receiver's tenant lookup.
#include <gtest/gtest.h>

#include "workflows/activities/onboarding_activities.h"
#include "workflows/testing/workflow_fixture.h"
#include "workflows/webhook_secrets.h"

namespace slipway::workflows::testing {
namespace {

using nlohmann::json;
namespace st = engine::status;

constexpr const char* kHookUrl = "http://127.0.0.1:9/v1/webhooks/github";

class WebhookStepTest : public WorkflowFixture {
 protected:
  json Input() { return {{"email", "owner@acme.test"}}; }
  std::string Secret(const std::string& tenant) {
    auto s = WebhookSecrets(*store_).Get(tenant);
    EXPECT_TRUE(s.ok() && s->has_value());
    return s.ok() && s->has_value() ? (*s)->secret : "";
  }
};

TEST_F(WebhookStepTest, OnboardingCreatesOneHookSignedWithTheTenantsSecret) {
  options_.webhook_url = kHookUrl;
  MakeEngine();
  auto w = RunUntilSettled(Start("onboarding", "acme", Input()).instance.id);
  ASSERT_EQ(w.instance.status, st::kCompleted) << w.instance.error_json;
  EXPECT_EQ(EmuCount("webhook_created", "acme/acme"), 1);
  json out = StepOf(w, "webhook");
  EXPECT_EQ(out["status"], "succeeded");
  const std::string secret = Secret("acme");
  EXPECT_EQ(secret.size(), 64u);

  // The secret is in no view, output or history event.
  EXPECT_EQ(w.ToJson().dump().find(secret), std::string::npos);
  auto history = engine_->History(w.instance.id, 0, 0);
  ASSERT_TRUE(history.ok());
  for (const auto& e : *history) EXPECT_EQ(e.data_json.find(secret), std::string::npos) << e.type;

  // The step again (a crash after the hook was made): the same hook, the same secret.
  engine::ActivityCall call;
  call.workflow_id = w.instance.id;
  call.tenant = "acme";
  call.outputs = {{"repository", {{"repo", "acme"}, {"full_name", "acme/acme"}}}};
  WebhookActivity again(registry_->deps(), *store_);
  Result<json> r = again.Run(call);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)["created"], false);
  EXPECT_EQ(EmuCount("webhook_created"), 1);
  EXPECT_EQ(Secret("acme"), secret);
}

TEST_F(WebhookStepTest, WithoutAPublicUrlTheStepIsSkippedWithItsReason) {
  auto w = RunUntilSettled(Start("onboarding", "acme", Input()).instance.id);
  ASSERT_EQ(w.instance.status, st::kCompleted) << w.instance.error_json;
  EXPECT_EQ(EmuCount("webhook_created"), 0);
  auto history = engine_->History(w.instance.id, 0, 0);
  ASSERT_TRUE(history.ok());
  bool skipped = false;
  for (const auto& e : *history) {
    if (e.step == "webhook" && e.data_json.find("SLIPWAY_PUBLIC_URL is not set") != std::string::npos) {
      skipped = true;
    }
  }
  EXPECT_TRUE(skipped);
}

TEST_F(WebhookStepTest, SecretsAreStableAndFoundByRepository) {
  WebhookSecrets secrets(*store_);
  Result<std::string> a = secrets.Ensure("acme", "acme/acme");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*secrets.Ensure("acme", "acme/acme"), *a);
  Result<std::string> b = secrets.Ensure("beta", "acme/beta");
  ASSERT_TRUE(b.ok());
  EXPECT_NE(*a, *b);

  Result<WebhookTarget> t = FindWebhookTarget(*store_, options_, "ACME/Acme");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->tenant, "acme");
  EXPECT_EQ(t->secret, *a);
  EXPECT_EQ(t->editor_branch, "");  // no tenant record yet: onboarding still runs
  EXPECT_EQ(FindWebhookTarget(*store_, options_, "other/acme").status().code(), Code::kNotFound);
  EXPECT_EQ(FindWebhookTarget(*store_, options_, "acme/nobody").status().code(), Code::kNotFound);
  EXPECT_EQ(FindWebhookTarget(*store_, options_, "acme/../x").status().code(), Code::kNotFound);

  MakeTenant("acme");
  t = FindWebhookTarget(*store_, options_, "acme/acme");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->editor_branch, "main");
}

}  // namespace
}  // namespace slipway::workflows::testing
