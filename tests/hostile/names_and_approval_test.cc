// tests/hostile/names_and_approval_test.cc: workflow ids and approvals under attack (issue 10,
// items 5 and 6): a tenant can neither take, block nor detect another tenant's workflow ids,
// cannot plant a forged child for a template update, and cannot decide or give its own
// approval.
#include <chrono>

#include "tests/hostile/hostile_fixture.h"

namespace slipway::hostile {
namespace {

using nlohmann::json;

// Site data the sandbox's template builds.
json Site(const std::string& name) {
  return {{"siteName", name}, {"tagline", "Hello"}, {"contactEmail", "me@example.com"},
          {"pages", {{{"slug", "index"}, {"title", "Home"}, {"body", "Welcome"}}}}};
}

json Deployment(const std::string& tenant, json input = json::object()) {
  return {{"type", "deployment"}, {"tenant", tenant}, {"input", std::move(input)}};
}

// Polls (as ops) until the workflow waits or ends; returns its last body. Bounded by time, not
// by a count of answers: a step waiting on Vercel commits a new version at every look.
json WaitUntilSettled(const SlipwaydProcess& s, const std::string& id) {
  json last;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < until) {
    last = s.Call("GET", "/v1/workflows/" + id + "?wait=5", s.token("ops")).body;
    const std::string status = last.is_object() ? last.value("status", "") : "";
    if (status == "waiting" || status == "completed" || status == "failed") break;
  }
  return last;
}

size_t CountEffect(const std::vector<json>& log, const std::string& effect,
                   const std::string& subject_part) {
  size_t n = 0;
  for (const json& e : log) {
    n += e.value("effect", "") == effect &&
         e.value("subject", "").find(subject_part) != std::string::npos;
  }
  return n;
}

TEST_F(HostileTest, TheSameClientIdInTwoTenantsNeitherCollidesNorLeaks) {
  SlipwaydProcess& s = server();
  const size_t before = s.EmulatorLog().size();
  json mine = Deployment("alpha", {{"website_data", Site("Alpha")}});
  mine["id"] = "site-1";
  Reply a = s.Call("POST", "/v1/workflows", s.token("alpha"), mine.dump());
  ASSERT_EQ(a.status, 201) << a.text;
  EXPECT_EQ(a.body["id"], "alpha:site-1");
  EXPECT_EQ(a.headers["location"], "/v1/workflows/alpha:site-1");
  // beta picks the same id with another request: its own workflow, not a 409 about alpha's.
  json theirs = Deployment("beta", {{"website_data", Site("Beta")}});
  theirs["id"] = "site-1";
  Reply b = s.Call("POST", "/v1/workflows", s.token("beta"), theirs.dump());
  ASSERT_EQ(b.status, 201) << b.text;
  EXPECT_EQ(b.body["id"], "beta:site-1");

  // Naming alpha's namespace: the same 400 whether the id exists or not, so nothing leaks.
  std::string first_message;
  for (const char* forged : {"alpha:site-1", "alpha:no-such-id"}) {
    theirs["id"] = forged;
    Reply r = s.Call("POST", "/v1/workflows", s.token("beta"), theirs.dump());
    EXPECT_EQ(r.status, 400) << forged << " " << r.text;
    EXPECT_EQ(r.body["error"]["code"], "invalid_argument");
    EXPECT_EQ(r.body["error"]["field"], "id");
    const std::string message = r.body["error"].value("message", "");
    if (first_message.empty()) first_message = message;
    EXPECT_EQ(message, first_message);
  }
  EXPECT_EQ(s.Call("GET", "/v1/workflows/alpha:site-1", s.token("beta")).status, 404);
  Reply kept = s.Call("GET", "/v1/workflows/alpha:site-1", s.token("ops"));
  EXPECT_EQ(kept.body["input"]["website_data"]["siteName"], "Alpha");
  EXPECT_TRUE(NoRequestMatches(s.EmulatorLogSince(before), "alpha"));  // beta reached nothing
  s.ExpectAlive();
}

TEST_F(HostileTest, AForgedTemplateUpdateChildIsRefusedAndTheUpdateReachesTheOtherTenant) {
  SlipwaydProcess& s = server();
  s.Onboard("alpha");
  s.Onboard("beta");
  const size_t before = s.EmulatorLog().size();
  // alpha tries to plant the child the update "ops:tu-1" will look for under beta, in every
  // shape: the old global one, beta's namespace, a nested id, or a parent_id of its own.
  for (const char* id : {"beta:ops:tu-1", "alpha:ops:tu-1", "beta:tu-1"}) {
    json forged = Deployment("alpha");
    forged["id"] = id;
    Reply r = s.Call("POST", "/v1/workflows", s.token("alpha"), forged.dump());
    EXPECT_EQ(r.status, 400) << id << " " << r.text;
    EXPECT_EQ(r.body["error"]["field"], "id") << id;
  }
  json with_parent = Deployment("alpha", {{"parent_id", "ops:tu-1"}});
  with_parent["id"] = "tu-1.beta";
  Reply parent = s.Call("POST", "/v1/workflows", s.token("alpha"), with_parent.dump());
  EXPECT_EQ(parent.status, 403) << parent.text;
  EXPECT_EQ(parent.body["error"]["code"], "permission_denied");
  EXPECT_EQ(parent.body["error"]["field"], "parent_id");
  // The old shape "<update>.<tenant>" is now just an id in alpha's own namespace.
  json old_shape = Deployment("alpha", {{"website_data", Site("Alpha")}});
  old_shape["id"] = "tu-1.beta";
  Reply own = s.Call("POST", "/v1/workflows", s.token("alpha"), old_shape.dump());
  ASSERT_EQ(own.status, 201) << own.text;
  EXPECT_EQ(own.body["id"], "alpha:tu-1.beta");
  EXPECT_EQ(s.WaitForEnd("alpha:tu-1.beta").value("status", ""), "completed");

  json update = {{"type", "template_update"}, {"tenant", "ops"}, {"id", "tu-1"},
                 {"input", {{"template_ref", "main"}, {"tenants", {"alpha", "beta"}}}}};
  Reply started = s.Call("POST", "/v1/workflows", s.token("ops"), update.dump());
  ASSERT_EQ(started.status, 201) << started.text;
  ASSERT_EQ(started.body["id"], "ops:tu-1");
  json end = s.WaitForEnd("ops:tu-1", std::chrono::seconds(400));
  ASSERT_EQ(end.value("status", ""), "completed") << end.dump();
  const json outcomes = end["result"]["tenants"];
  ASSERT_EQ(outcomes.size(), 2u) << end.dump();
  for (const json& o : outcomes) {  // both tenants updated and deployed by their real child
    EXPECT_EQ(o["id"], o["tenant"].get<std::string>() + ":ops:tu-1") << o;
    EXPECT_EQ(o["status"], "completed") << o;
    EXPECT_FALSE(o.value("deployment_id", "").empty()) << o;
  }
  Reply child = s.Call("GET", "/v1/workflows/beta:ops:tu-1", s.token("ops"));
  EXPECT_EQ(child.body["input"]["parent_id"], "ops:tu-1");
  EXPECT_EQ(child.body["tenant"], "beta");
  // Two deployments for the update, one for alpha's own: nothing else reached Vercel.
  EXPECT_EQ(CountEffect(s.EmulatorLogSince(before), "deployment_created", ""), 3u);
  s.ExpectAlive();
}

TEST_F(HostileTest, ATenantCannotDecideOrGiveItsOwnApproval) {
  SlipwaydProcess& s = server();
  s.Onboard("alpha");
  // The tenant may not choose the policy: neither switch the gate off nor stretch its wait.
  const size_t before = s.EmulatorLog().size();
  for (const auto& [key, value] : std::vector<std::pair<std::string, json>>{
           {"require_approval", false}, {"require_approval", true},
           {"approval_timeout_s", 1e308}}) {
    Reply r = s.Call("POST", "/v1/workflows", s.token("alpha"),
                     Deployment("alpha", {{key, value}}).dump());
    EXPECT_EQ(r.status, 403) << key << " " << r.text;
    EXPECT_EQ(r.body["error"]["code"], "permission_denied");
    EXPECT_EQ(r.body["error"]["field"], key);
  }
  EXPECT_TRUE(s.EmulatorLogSince(before).empty());
  // Tenants cannot set the policy through tenant_settings either; ops can.
  json settings = {{"type", "tenant_settings"}, {"tenant", "alpha"},
                   {"input", {{"require_approval", true}, {"approval_timeout_s", 3600}}}};
  EXPECT_EQ(s.Call("POST", "/v1/workflows", s.token("alpha"), settings.dump()).status, 403);
  Reply set = s.Call("POST", "/v1/workflows", s.token("ops"), settings.dump());
  ASSERT_EQ(set.status, 201) << set.text;
  ASSERT_EQ(s.WaitForEnd(set.body.value("id", "")).value("status", ""), "completed");

  Reply dep = s.Call("POST", "/v1/workflows", s.token("alpha"),
                     Deployment("alpha", {{"website_data", Site("Alpha")}}).dump());
  ASSERT_EQ(dep.status, 201) << dep.text;
  const std::string id = dep.body.value("id", "");
  json waiting = WaitUntilSettled(s, id);
  ASSERT_EQ(waiting.value("status", ""), "waiting") << waiting.dump();
  ASSERT_EQ(waiting.value("current_step", ""), "approval") << waiting.dump();
  EXPECT_EQ(waiting["input"]["require_approval"], true);
  EXPECT_EQ(waiting["input"]["approval_timeout_s"], 3600);
  const size_t at_gate = s.EmulatorLog().size();
  for (const char* signal : {"approve", "reject"}) {
    Reply r = s.Call("POST", "/v1/workflows/" + id + "/signals/" + signal, s.token("alpha"), "{}");
    EXPECT_EQ(r.status, 403) << signal << " " << r.text;
    EXPECT_EQ(r.body["error"]["code"], "permission_denied");
    EXPECT_EQ(r.body["error"]["field"], "name");
  }
  EXPECT_EQ(s.Call("GET", "/v1/workflows/" + id, s.token("ops")).body.value("status", ""),
            "waiting");
  EXPECT_EQ(CountEffect(s.EmulatorLogSince(at_gate), "deployment_created", ""), 0u);
  // An approver can.
  Reply approved = s.Call("POST", "/v1/workflows/" + id + "/signals/approve",
                          s.token("approver"), R"({"reason": "reviewed"})");
  ASSERT_EQ(approved.status, 202) << approved.text;
  EXPECT_EQ(s.WaitForEnd(id).value("status", ""), "completed");
  s.ExpectAlive();
}

}  // namespace
}  // namespace slipway::hostile
