// http/webhook_test.cc: POST /v1/webhooks/github against a real engine: signatures (GitHub's
// documented vector), ping, pushes that deploy and pushes that do not, repeated deliveries
// (also after a restart), the bad-signature counter.
#include <gtest/gtest.h>

#include "engine/base/hmac.h"
#include "http/github_webhook.h"
#include "http/http_test_fixture.h"

namespace slipway::http::testing {
namespace {

using nlohmann::json;

constexpr const char* kSecret = "tenant-client1-webhook-secret";
constexpr const char* kSlipwayMessage = "Save website data\n\nSlipway-Idempotency-Key: x/save";

TEST(GitHubWebhookTest, DocumentedTestVectorVerifies) {
  // GitHub docs, "Validating webhook deliveries".
  const std::string sig =
      "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
  EXPECT_TRUE(VerifyGitHubSignature("It's a Secret to Everybody", "Hello, World!", sig).ok());
  EXPECT_EQ(VerifyGitHubSignature("It's a Secret to Everybody", "Hello, World?", sig).code(),
            Code::kUnauthenticated);
  EXPECT_EQ(VerifyGitHubSignature("another secret", "Hello, World!", sig).code(),
            Code::kUnauthenticated);
  EXPECT_FALSE(VerifyGitHubSignature("It's a Secret to Everybody", "Hello, World!",
                                     sig.substr(7)).ok());  // no "sha256=" prefix
  EXPECT_FALSE(VerifyGitHubSignature("", "Hello, World!", "sha256=").ok());
}

TEST(GitHubWebhookTest, PushFactsRecogniseSlipwayCommits) {
  json push = {{"ref", "refs/heads/production"}, {"after", "abc123"},
               {"pusher", {{"name", "alice\n<script>"}}},
               {"commits", {{{"message", kSlipwayMessage}}, {{"message", "Fix typo"}}}}};
  Result<PushFacts> f = ReadPush(push);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->branch, "production");
  EXPECT_EQ(f->pusher, "alicescript");
  EXPECT_EQ(f->commits, 2);
  EXPECT_FALSE(f->only_slipway);
  push["commits"] = {{{"message", kSlipwayMessage}}};
  EXPECT_TRUE(ReadPush(push)->only_slipway);
  push["after"] = "not a sha";
  EXPECT_EQ(ReadPush(push).status().field(), "after");
  EXPECT_EQ(ReadPush(json::object()).status().field(), "ref");
}

class WebhookHandlerTest : public HttpFixture {
 protected:
  void SetUp() override {
    HttpFixture::SetUp();
    StartWebhookApi();
  }
  void StartWebhookApi() {
    HttpApiOptions o;
    o.port = 0;
    o.webhook_tenants = [this](const std::string& full_name) -> Result<WebhookTenant> {
      if (full_name != "acme/client1") return NotFound("no tenant has that repository");
      return WebhookTenant{"client1", kSecret, editor_branch_};
    };
    StartApi(o);
  }

  json PushPayload(const std::string& message, const std::string& branch = "production") {
    return {{"ref", "refs/heads/" + branch},
            {"before", std::string(40, '1')},
            {"after", std::string(40, 'a')},
            {"repository", {{"id", 1}, {"full_name", "acme/client1"}}},
            {"pusher", {{"name", "alice"}, {"email", "alice@example.com"}}},
            {"sender", {{"login", "alice"}}},
            {"commits", {{{"id", std::string(40, 'a')}, {"message", message}}}}};
  }

  Reply Deliver(const std::string& event, const json& payload, const std::string& delivery,
                const std::string& secret = kSecret) {
    const std::string body = payload.dump();
    return Call("POST", "/v1/webhooks/github", "", body,
                {{"X-GitHub-Event", event},
                 {"X-GitHub-Delivery", delivery},
                 {"X-Hub-Signature-256", "sha256=" + HmacSha256Hex(secret, body)},
                 {"User-Agent", "GitHub-Hookshot/test"}});
  }

  int64_t BadSignatures() {
    Reply m = Get("/metrics");
    const std::string name = "\nslipway_webhook_bad_signature_total ";
    size_t at = m.body.find(name);
    if (at == std::string::npos) return -1;
    return std::stoll(m.body.substr(at + name.size()));
  }

  int64_t Workflows() {
    storage::ListQuery q;
    auto page = engine().List(q);
    return page.ok() ? static_cast<int64_t>(page->instances.size()) : -1;
  }

  std::string editor_branch_ = "production";
};

TEST_F(WebhookHandlerTest, PingIsAnswered) {
  Reply r = Deliver("ping", {{"zen", "Keep it logically awesome."},
                             {"hook_id", 4000001},
                             {"repository", {{"full_name", "acme/client1"}}}},
                    "11111111-2222-3333-4444-555555555555");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["status"], "pong");
}

TEST_F(WebhookHandlerTest, HumanPushToTheEditorBranchStartsOneDeployment) {
  Reply r = Deliver("push", PushPayload("Fix the tagline"), "d-1");
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.json["status"], "started");
  const std::string id = r.json["workflow_id"];
  EXPECT_EQ(id, "client1:github-d-1");
  auto history = History(id);
  ASSERT_FALSE(history.empty());
  EXPECT_EQ(history[0].type, "workflow_started");
  EXPECT_EQ(history[0].actor, "github:alice");
  json started = json::parse(history[0].data_json);
  EXPECT_EQ(started["input"]["ref"], "production");
  EXPECT_NE(started["reason"].get<std::string>().find("d-1"), std::string::npos);

  // GitHub redelivers with the same id: nothing new, also after a restart.
  Reply again = Deliver("push", PushPayload("Fix the tagline"), "d-1");
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json["status"], "duplicate");
  api_.reset();
  MakeEngine("engine-b");
  ASSERT_TRUE(engine().RegisterType(engine::testing::SevenStepType(
                                        "deployment", "rec", engine::testing::FastRetry(), true))
                  .ok());
  StartWebhookApi();
  Reply after_restart = Deliver("push", PushPayload("Fix the tagline"), "d-1");
  EXPECT_EQ(after_restart.json["status"], "duplicate") << after_restart.body;
  EXPECT_EQ(Workflows(), 1);
}

TEST_F(WebhookHandlerTest, PushesThatMustNotDeployAreIgnored) {
  EXPECT_EQ(Deliver("push", PushPayload(kSlipwayMessage), "d-own").json["reason"],
            "commits made by Slipway");
  EXPECT_EQ(Deliver("push", PushPayload("Work", "feature"), "d-other").json["status"], "ignored");
  json empty = PushPayload("x");
  empty["commits"] = json::array();
  EXPECT_EQ(Deliver("push", empty, "d-empty").json["reason"], "no new commits");
  json deleted = PushPayload("x");
  deleted["deleted"] = true;
  EXPECT_EQ(Deliver("push", deleted, "d-deleted").json["status"], "ignored");
  EXPECT_EQ(Deliver("issues", PushPayload("x"), "d-issue").json["status"], "ignored");
  editor_branch_ = "";  // onboarding still running: no tenant record yet
  EXPECT_EQ(Deliver("push", PushPayload("x"), "d-early").json["reason"],
            "the tenant is not onboarded yet");
  EXPECT_EQ(Workflows(), 0);
}

TEST_F(WebhookHandlerTest, BadSignaturesAre401AndCounted) {
  const int64_t before = BadSignatures();
  ASSERT_GE(before, 0);
  Reply forged = Deliver("push", PushPayload("evil"), "d-forged", "guessed-secret");
  EXPECT_EQ(forged.status, 401) << forged.body;
  json unknown = PushPayload("x");
  unknown["repository"]["full_name"] = "acme/nobody";
  EXPECT_EQ(Deliver("push", unknown, "d-unknown").status, 401);
  Reply unsigned_push = Call("POST", "/v1/webhooks/github", "", PushPayload("x").dump(),
                             {{"X-GitHub-Event", "push"}, {"X-GitHub-Delivery", "d-unsigned"}});
  EXPECT_EQ(unsigned_push.status, 401);
  EXPECT_EQ(BadSignatures(), before + 3);
  EXPECT_EQ(Workflows(), 0);
}

TEST_F(WebhookHandlerTest, MalformedDeliveriesAre4xxNamingTheField) {
  Reply no_id = Call("POST", "/v1/webhooks/github", "", "{}", {{"X-GitHub-Event", "push"}});
  EXPECT_EQ(no_id.status, 400);
  EXPECT_EQ(no_id.json["error"]["field"], "X-GitHub-Delivery");
  Reply bad_id = Deliver("push", PushPayload("x"), "../../etc");
  EXPECT_EQ(bad_id.json["error"]["field"], "X-GitHub-Delivery");
  Reply no_repo = Deliver("push", {{"ref", "refs/heads/production"}}, "d-norepo");
  EXPECT_EQ(no_repo.json["error"]["field"], "repository.full_name");
  Reply huge = Deliver("push", {{"pad", std::string(2 << 20, 'x')}}, "d-huge");
  EXPECT_EQ(huge.status, 413);
  EXPECT_EQ(Workflows(), 0);
}

TEST_F(WebhookHandlerTest, WithoutALookupTheEndpointIsAbsent) {
  HttpApiOptions o;
  o.port = 0;
  StartApi(o);
  EXPECT_EQ(Deliver("ping", {{"repository", {{"full_name", "acme/client1"}}}}, "d-x").status,
            404);
}

}  // namespace
}  // namespace slipway::http::testing
