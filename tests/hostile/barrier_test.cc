// tests/hostile/barrier_test.cc: an exception inside an activity is a failed attempt, never a
// dead slipwayd; and a secret in a tenant's input is redacted at rest and in every view.
//
// The throw comes from the failpoint "activity.throw" (armed through SLIPWAY_FAILPOINTS),
// which throws a std::runtime_error inside the engine's exception barrier in place of the
// activity: what a json::type_error from a tenant's bytes would do there.
#include "tests/hostile/hostile_fixture.h"

namespace slipway::hostile {
namespace {

using nlohmann::json;

json Events(const SlipwaydProcess& s, const std::string& id) {
  Reply r = s.Call("GET", "/v1/workflows/" + id + "/history", s.token("ops"));
  EXPECT_EQ(r.status, 200) << r.text;
  return r.body.value("events", json::array());
}

TEST(HostileBarrierTest, AnActivityThatThrowsFailsItsAttemptAndTheDaemonLivesOn) {
  auto s = SlipwaydProcess::Start({"SLIPWAY_FAILPOINTS=activity.throw=error*2"});
  ASSERT_NE(s, nullptr);
  json start = {{"type", "onboarding"}, {"tenant", "alpha"},
                {"input", {{"email", "alpha@example.com"}}}};
  Reply r = s->Call("POST", "/v1/workflows", s->token("ops"), start.dump());
  ASSERT_EQ(r.status, 201) << r.text;
  const std::string id = r.body.value("id", "");
  json end = s->WaitForEnd(id);
  EXPECT_EQ(end.value("status", ""), "completed") << end.dump();  // retried past the throws
  int thrown = 0;
  for (const json& e : Events(*s, id)) {
    if (e.value("type", "") != "step_failed") continue;
    const json& error = e["data"]["error"];
    EXPECT_EQ(error.value("code", ""), "internal") << e.dump();
    EXPECT_EQ(error.value("message", ""), "activity threw: failpoint activity.throw");
    EXPECT_TRUE(e["data"].value("retry", false)) << e.dump();
    ++thrown;
  }
  EXPECT_EQ(thrown, 2);
  s->ExpectAlive();
}

TEST_F(HostileTest, ASecretInTheInputIsRedactedInTheRowGetListAndHistory) {
  SlipwaydProcess& s = server();
  s.Onboard("alpha");
  const std::string kKey = "sk_live_51HxQ2aLkdj3Fh9sK2mZpQ";
  const std::string kToken = "token ghx7Qm2PzL9vR4tY8wKc";
  json start = {{"type", "deployment"}, {"tenant", "alpha"}, {"id", "site-secrets"},
                {"input", {{"website_data", {{"siteName", "Alpha"},
                                             {"pages", {{{"slug", "index"}, {"title", "Home"}}}},
                                             {"custom", {{"stripe_api_key", kKey},
                                                         {"about", "Call us. " + kToken}}}}}}}};
  size_t before = s.EmulatorLog().size();
  Reply created = s.Call("POST", "/v1/workflows", s.token("alpha"), start.dump());
  ASSERT_EQ(created.status, 201) << created.text;
  const std::string id = created.body.value("id", "");
  auto expect_clean = [&](const std::string& text, const char* where) {
    EXPECT_EQ(text.find("sk_live_51HxQ2aLkdj3Fh9sK2mZpQ"), std::string::npos) << where;
    EXPECT_EQ(text.find("ghx7Qm2PzL9vR4tY8wKc"), std::string::npos) << where;
  };
  expect_clean(created.text, "the 201 reply");
  EXPECT_EQ(created.body["input"]["website_data"]["custom"]["stripe_api_key"], "[redacted]");
  // The same request again is the same workflow (the start hash is over the request as sent).
  Reply again = s.Call("POST", "/v1/workflows", s.token("alpha"), start.dump());
  EXPECT_EQ(again.status, 200) << again.text;
  EXPECT_EQ(again.body.value("id", ""), id);
  expect_clean(again.text, "the 200 reply");
  for (const std::string& who : {std::string("alpha"), std::string("ops")}) {
    Reply got = s.Call("GET", "/v1/workflows/" + id, s.token(who));
    EXPECT_EQ(got.status, 200) << got.text;
    expect_clean(got.text, "GET");
    Reply list = s.Call("GET", "/v1/workflows?tenant=alpha", s.token(who));
    EXPECT_EQ(list.status, 200) << list.text;
    expect_clean(list.text, "list");
    Reply history = s.Call("GET", "/v1/workflows/" + id + "/history", s.token(who));
    EXPECT_EQ(history.status, 200) << history.text;
    expect_clean(history.text, "history");
  }
  EXPECT_TRUE(NoRequestMatches(s.EmulatorLogSince(before), "sk_live_"));
  EXPECT_TRUE(NoRequestMatches(s.EmulatorLogSince(before), "ghx7Qm2PzL9vR4tY8wKc"));
  s.ExpectAlive();
}

}  // namespace
}  // namespace slipway::hostile
