// tests/hostile/names_test.cc: issue 10 items 1, 5 (domains) and 7 (numbers) against a real
// slipwayd: a tenant cannot traverse into another tenant's repository with a ref, cannot take
// a name under the base domain or another tenant's custom domain, and cannot overflow a
// duration.
#include <thread>

#include "tests/hostile/hostile_fixture.h"

namespace slipway::hostile {
namespace {

using nlohmann::json;

std::string Deployment(const std::string& tenant, const json& input) {
  return json{{"type", "deployment"}, {"tenant", tenant}, {"input", input}}.dump();
}

TEST_F(HostileTest, TraversingRefsBaseDomainNamesAndHugeNumbersAreRefusedAt400) {
  SlipwaydProcess& s = server();
  s.Onboard("beta");  // the victim's repository exists, so a traversal would find it
  const size_t before = s.EmulatorLog().size();
  const std::vector<std::pair<json, std::string>> attacks = {
      {{{"template_ref", "../../../sandbox-sites/beta/tarball/production"}}, "template_ref"},
      {{{"ref", "../../../../beta/git/ref/heads/production"}}, "ref"},
      {{{"ref", "production/../../../../beta"}}, "ref"},
      {{{"custom_domain", "beta-dev.sandbox.test"}}, "custom_domain"},
      {{{"custom_domain", "sandbox.test"}}, "custom_domain"},
      {{{"custom_domain", "x.y.SANDBOX.test"}}, "custom_domain"},
      {{{"approval_timeout_s", 1e308}}, "approval_timeout_s"},
      {{{"approval_timeout_s", -1}}, "approval_timeout_s"},
      {{{"approval_timeout_s", "3600"}}, "approval_timeout_s"},
      {{{"max_autofix_rounds", 4294967296LL}}, "max_autofix_rounds"},
  };
  for (const auto& [input, field] : attacks) {
    // The approval deadline is ops-only input (a tenant gets 403 for it, whatever its value):
    // its range is checked for ops.
    const std::string who = field == "approval_timeout_s" ? "ops" : "alpha";
    Reply r = s.Call("POST", "/v1/workflows", s.token(who), Deployment("alpha", input));
    EXPECT_EQ(r.status, 400) << input.dump() << " -> " << r.text;
    EXPECT_EQ(r.body["error"].value("field", ""), field) << input.dump() << " -> " << r.text;
  }
  Reply list = s.Call("GET", "/v1/workflows?tenant=alpha", s.token("ops"));
  for (const json& w : list.body.value("workflows", json::array())) {
    EXPECT_NE(w.value("tenant", ""), "alpha") << "a refused start left a workflow: " << w.dump();
  }
  EXPECT_TRUE(s.EmulatorLogSince(before).empty());
  EXPECT_TRUE(NoRequestMatches(s.EmulatorLogSince(before), "beta"));
  s.ExpectAlive();
}

TEST_F(HostileTest, AnotherTenantsCustomDomainIsRefusedAndOnlyOpsCanMoveIt) {
  SlipwaydProcess& s = server();
  s.Onboard("alpha");
  s.Onboard("beta");
  const std::string domain = "www.alpha-shop.com";
  Reply first = s.Call("POST", "/v1/workflows", s.token("alpha"),
                       Deployment("alpha", {{"custom_domain", domain}}));
  ASSERT_EQ(first.status, 201) << first.text;
  // alpha's deployment claims the domain at its domain step, then waits for DNS.
  json a;
  for (int i = 0; i < 600; ++i) {
    a = s.Call("GET", "/v1/workflows/" + first.body.value("id", ""), s.token("ops")).body;
    if (a.value("status", "") != "running" && a.value("status", "") != "queued") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  // The domain's DNS is pending: the release completes, the domain watched apart.
  ASSERT_EQ(a.value("status", ""), "completed") << a.dump();
  EXPECT_EQ(a["result"]["domain"]["status"], "pending") << a.dump();

  const size_t before = s.EmulatorLog().size();
  Reply second = s.Call("POST", "/v1/workflows", s.token("beta"),
                        Deployment("beta", {{"custom_domain", "WWW.Alpha-Shop.com"}}));
  ASSERT_EQ(second.status, 201) << second.text;
  json b = s.WaitForEnd(second.body.value("id", ""));
  EXPECT_EQ(b.value("status", ""), "failed") << b.dump();
  EXPECT_EQ(b["error"].value("state", ""), "save_failed") << b.dump();  // before any effect
  EXPECT_NE(b["error"]["cause"].value("message", "").find("belongs to another tenant"),
            std::string::npos)
      << b.dump();
  for (const json& e : s.EmulatorLogSince(before)) {
    EXPECT_NE(e.value("effect", ""), "domain_added") << e.dump();
    EXPECT_NE(e.value("effect", ""), "deployment_created") << e.dump();
    EXPECT_NE(e.value("effect", ""), "commit") << e.dump();
  }

  // Moving a domain is an ops workflow: a tenant token cannot start it.
  json transfer = {{"type", "domain_transfer"}, {"tenant", "beta"}, {"input", {{"domain", domain}}}};
  EXPECT_EQ(s.Call("POST", "/v1/workflows", s.token("beta"), transfer.dump()).status, 403);
  Reply moved = s.Call("POST", "/v1/workflows", s.token("ops"), transfer.dump());
  ASSERT_EQ(moved.status, 201) << moved.text;
  json m = s.WaitForEnd(moved.body.value("id", ""));
  EXPECT_EQ(m.value("status", ""), "completed") << m.dump();
  EXPECT_EQ(m["result"].value("previous_tenant", ""), "alpha") << m.dump();
  s.ExpectAlive();
}

}  // namespace
}  // namespace slipway::hostile
