// tests/hostile/tenancy_test.cc: what a tenant token cannot do to another tenant or to the
// server with malformed requests (behaviour that already held before issue 10; it also shows
// that the fixture works).
#include "tests/hostile/hostile_fixture.h"

namespace slipway::hostile {
namespace {

using nlohmann::json;

TEST_F(HostileTest, ATenantCannotSeeStartOrCancelAnotherTenantsWorkflows) {
  SlipwaydProcess& s = server();
  json start = {{"type", "deployment"}, {"tenant", "beta"}, {"input", json::object()}};
  Reply denied = s.Call("POST", "/v1/workflows", s.token("alpha"), start.dump());
  EXPECT_EQ(denied.status, 403) << denied.text;
  Reply onboarding = s.Call("POST", "/v1/workflows", s.token("alpha"),
                            json{{"type", "onboarding"}, {"tenant", "alpha"},
                                 {"input", {{"email", "a@example.com"}}}}.dump());
  EXPECT_EQ(onboarding.status, 403) << onboarding.text;
  // An ops-started workflow of beta looks like it does not exist to alpha.
  Reply ops = s.Call("POST", "/v1/workflows", s.token("ops"),
                     json{{"type", "onboarding"}, {"tenant", "beta"},
                          {"input", {{"email", "b@example.com"}}}}.dump());
  ASSERT_EQ(ops.status, 201) << ops.text;
  const std::string id = ops.body.value("id", "");
  EXPECT_EQ(s.Call("GET", "/v1/workflows/" + id, s.token("alpha")).status, 404);
  EXPECT_EQ(s.Call("GET", "/v1/workflows/" + id + "/history", s.token("alpha")).status, 404);
  EXPECT_EQ(s.Call("POST", "/v1/workflows/" + id + "/cancel", s.token("alpha"), "{}").status, 404);
  Reply list = s.Call("GET", "/v1/workflows", s.token("alpha"));
  ASSERT_EQ(list.status, 200) << list.text;
  for (const json& w : list.body.value("workflows", json::array())) {
    EXPECT_EQ(w.value("tenant", ""), "alpha") << w.dump();
  }
  s.ExpectAlive();
}

TEST_F(HostileTest, MalformedBodiesGetAClearErrorAndNothingIsCreated) {
  SlipwaydProcess& s = server();
  size_t before = s.EmulatorLog().size();
  for (const std::string& body :
       {std::string("{"), std::string("[]"), std::string("{\"type\":1}"),
        std::string(100'000, '['), std::string("{\"type\":\"deployment\",\"tenant\":\"alpha\","
                                                "\"input\":\"x\"}")}) {
    Reply r = s.Call("POST", "/v1/workflows", s.token("alpha"), body);
    EXPECT_EQ(r.status, 400) << body.substr(0, 40) << " -> " << r.text.substr(0, 200);
    EXPECT_TRUE(r.body.is_object() && r.body.contains("error")) << r.text.substr(0, 200);
  }
  Reply list = s.Call("GET", "/v1/workflows", s.token("ops"));
  EXPECT_EQ(list.body.value("workflows", json::array()).size(), 0u) << list.text;
  EXPECT_TRUE(s.EmulatorLogSince(before).empty());
  s.ExpectAlive();
}

}  // namespace
}  // namespace slipway::hostile
