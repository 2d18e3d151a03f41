// tests/hostile/webhook_test.cc: GitHub webhooks end to end on a real slipwayd --sandbox (whose
// emulator delivers to the daemon itself): onboarding creates the hook; a human's signed push
// to the editor branch starts a deployment whose history names the pusher; Slipway's own pushes
// start nothing; a forged signature is 401, counted, and starts nothing; a replayed delivery is
// ignored; the tenant's secret shows in no view, history or log line.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "engine/base/hmac.h"
#include "tests/hostile/hostile_fixture.h"

namespace slipway::hostile {
namespace {

using nlohmann::json;

constexpr const char* kRepo = "sandbox-sites/alpha";

int64_t BadSignatures(const SlipwaydProcess& s) {
  Reply m = s.Call("GET", "/metrics", s.token("ops"));
  const std::string name = "\nslipway_webhook_bad_signature_total ";
  size_t at = m.text.find(name);
  return at == std::string::npos ? -1 : std::stoll(m.text.substr(at + name.size()));
}

std::vector<json> Deployments(const SlipwaydProcess& s) {
  Reply r = s.Call("GET", "/v1/workflows?tenant=alpha&type=deployment", s.token("ops"));
  EXPECT_EQ(r.status, 200) << r.text;
  return r.body.value("workflows", std::vector<json>{});
}

std::vector<json> Deliveries(const SlipwaydProcess& s) {
  Reply r = s.CallEmulator("GET", "/_admin/deliveries");
  EXPECT_EQ(r.status, 200) << r.text;
  return r.body.is_array() ? r.body.get<std::vector<json>>() : std::vector<json>{};
}

// The hook's secret as the emulated GitHub keeps it (its data directory).
std::string HookSecret(const SlipwaydProcess& s) {
  std::ifstream in(s.dir() + "/state/emulator/repos/" + kRepo + "/repo.json");
  std::stringstream text;
  text << in.rdbuf();
  json repo = json::parse(text.str(), nullptr, false);
  if (!repo.is_object() || repo["hooks"].empty()) return "";
  return repo["hooks"][0].value("secret", "");
}

json HumanPush(const std::string& message) {
  return {{"repo", kRepo}, {"branch", "main"}, {"files", {{"src/human.txt", message}}},
          {"message", message}, {"pusher", "alice"}};
}

TEST_F(HostileTest, ASignedHumanPushDeploysAndSlipwaysOwnPushesDoNot) {
  SlipwaydProcess& s = server();
  Reply onboard = s.Call("POST", "/v1/workflows", s.token("ops"),
                         json{{"type", "onboarding"}, {"tenant", "alpha"},
                              {"input", {{"email", "alpha@example.com"}}}}.dump());
  ASSERT_EQ(onboard.status, 201) << onboard.text;
  const std::string onboarding = onboard.body.value("id", "");
  ASSERT_EQ(s.WaitForEnd(onboarding).value("status", ""), "completed");
  int hooks = 0;
  for (const json& e : s.EmulatorLog()) hooks += e.value("effect", "") == "webhook_created";
  EXPECT_EQ(hooks, 1);
  const std::string secret = HookSecret(s);
  ASSERT_EQ(secret.size(), 64u);
  std::vector<json> sent = Deliveries(s);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["event"], "ping");
  EXPECT_EQ(sent[0]["status_code"], 200);

  // Slipway's own deployment creates the production branch and commits to it: both pushes
  // reach the daemon (signed), which starts nothing for them.
  Reply deploy = s.Call("POST", "/v1/workflows", s.token("ops"),
                        json{{"type", "deployment"}, {"tenant", "alpha"}, {"id", "by-ops"},
                             {"input",
                              {{"website_data",
                                {{"siteName", "Alpha"},
                                 {"pages", {{{"slug", "index"}, {"title", "Home"}}}}}}}}}
                            .dump());
  ASSERT_EQ(deploy.status, 201) << deploy.text;
  for (int i = 0; i < 300 && Deliveries(s).size() < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  sent = Deliveries(s);
  ASSERT_GE(sent.size(), 3u) << json(sent).dump();
  for (const json& d : sent) {  // the new branch (no new commits), the save commit (trailer)
    EXPECT_EQ(d["status_code"], 200) << d.dump();
  }
  EXPECT_EQ(Deployments(s).size(), 1u);

  // A human pushes to the editor branch: a deployment, recorded with the pusher as actor.
  Reply push = s.CallEmulator("POST", "/_admin/github/push", HumanPush("Fix the tagline").dump());
  ASSERT_EQ(push.status, 200) << push.text;
  ASSERT_EQ(push.body["deliveries"].size(), 1u) << push.text;
  json delivery = push.body["deliveries"][0];
  EXPECT_EQ(delivery["status_code"], 202) << delivery.dump();
  const std::string id = "alpha:github-" + delivery["guid"].get<std::string>();
  Reply history = s.Call("GET", "/v1/workflows/" + id + "/history", s.token("ops"));
  ASSERT_EQ(history.status, 200) << history.text;
  json first = history.body["events"][0];
  EXPECT_EQ(first["type"], "workflow_started");
  EXPECT_EQ(first["actor"], "github:alice");
  EXPECT_EQ(Deployments(s).size(), 2u);

  // GitHub redelivers it (same X-GitHub-Delivery): ignored.
  Reply again = s.CallEmulator(
      "POST", "/_admin/deliveries/" + std::to_string(delivery["id"].get<int64_t>()) + "/redeliver");
  ASSERT_EQ(again.status, 200) << again.text;
  EXPECT_EQ(again.body["deliveries"][0]["status_code"], 200) << again.text;
  EXPECT_EQ(Deployments(s).size(), 2u);

  // The secret is nowhere a client or an operator reads.
  for (const std::string& path :
       {"/v1/workflows/" + onboarding, "/v1/workflows/" + onboarding + "/history",
        "/v1/workflows/" + id, "/v1/workflows/" + id + "/history",
        std::string("/v1/workflows?tenant=alpha")}) {
    Reply r = s.Call("GET", path, s.token("ops"));
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.text.find(secret), std::string::npos) << path;
  }
  EXPECT_EQ(s.Log().find(secret), std::string::npos);
  s.ExpectAlive();
}

TEST_F(HostileTest, AForgedWebhookIs401CountedAndStartsNothing) {
  SlipwaydProcess& s = server();
  s.Onboard("alpha");
  const int64_t before = BadSignatures(s);
  ASSERT_GE(before, 0);
  json payload = {{"ref", "refs/heads/production"}, {"after", std::string(40, 'b')},
                  {"repository", {{"full_name", kRepo}}}, {"pusher", {{"name", "mallory"}}},
                  {"commits", {{{"id", std::string(40, 'b')}, {"message", "deploy my code"}}}}};
  const std::string body = payload.dump();
  for (const std::string& signature :
       {"sha256=" + HmacSha256Hex("a guessed secret", body), std::string("sha256="),
        std::string("")}) {
    // Raw POST with the GitHub headers (the fixture's Call sets only Authorization).
    Reply r = s.CallWebhook(body, "push", "forged-1", signature);
    EXPECT_EQ(r.status, 401) << r.text;
  }
  EXPECT_EQ(BadSignatures(s), before + 3);
  EXPECT_TRUE(Deployments(s).empty());
  s.ExpectAlive();
}

}  // namespace
}  // namespace slipway::hostile
