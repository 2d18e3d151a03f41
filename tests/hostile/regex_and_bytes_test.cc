// tests/hostile/regex_and_bytes_test.cc: issue 10 item 2 (no regex over attacker-sized text)
// against a real slipwayd: a secret-shaped 900 KB string in website_data is accepted, redacted in
// history and kills nothing; a deployed page with a 60 KB href is crawled by verify without
// killing the process (the link is skipped, not fetched).
#include "tests/hostile/hostile_fixture.h"

namespace slipway::hostile {
namespace {

using nlohmann::json;

json WebsiteData(const std::string& body, const std::string& contact = "owner@alpha.test") {
  return {{"siteName", "Alpha"},
          {"tagline", "hello"},
          {"contactEmail", contact},
          {"pages", {{{"slug", "index"}, {"title", "Home"}, {"body", body}}}}};
}

std::string Deployment(const json& website_data) {
  return json{{"type", "deployment"}, {"tenant", "alpha"}, {"input", {{"website_data", website_data}}}}
      .dump();
}

// "token " + 900 KB of letters: std::regex redaction recursed per character and overflowed the
// stack when this reached history. Under the 1 MiB body cap.
TEST_F(HostileTest, HugeSecretShapedTextIsRedactedInHistoryAndKillsNothing) {
  SlipwaydProcess& s = server();
  s.Onboard("alpha");
  const std::string secret = "token " + std::string(900 * 1024, 'A');
  Reply started = s.Call("POST", "/v1/workflows", s.token("alpha"), Deployment(WebsiteData(secret)));
  ASSERT_EQ(started.status, 201) << started.text.substr(0, 500);
  const std::string id = started.body.value("id", "");
  Reply history = s.Call("GET", "/v1/workflows/" + id + "/history", s.token("auditor"));
  ASSERT_EQ(history.status, 200) << history.text.substr(0, 500);
  EXPECT_EQ(history.text.find(std::string(64, 'A')), std::string::npos);  // masked, not stored
  EXPECT_NE(history.text.find("[redacted]"), std::string::npos);
  s.ExpectAlive();
  json end = s.WaitForEnd(id);
  EXPECT_NE(end.value("status", ""), "running") << end.dump().substr(0, 500);
  history = s.Call("GET", "/v1/workflows/" + id + "/history", s.token("auditor"));
  EXPECT_EQ(history.status, 200);
  EXPECT_EQ(history.text.find(std::string(64, 'A')), std::string::npos);
  s.ExpectAlive();
}

// The template's footer links to mailto:<contactEmail>: a 60 KB address is a 60 KB href on the
// deployed page. The crawler's std::regex died on it, and again after every restart.
TEST_F(HostileTest, PageWithASixtyKilobyteHrefIsCrawledWithoutKillingTheProcess) {
  SlipwaydProcess& s = server();
  s.Onboard("alpha");
  const std::string contact = std::string(60 * 1024, 'a') + "@alpha.test";
  Reply started = s.Call("POST", "/v1/workflows", s.token("alpha"),
                         Deployment(WebsiteData("welcome", contact)));
  ASSERT_EQ(started.status, 201) << started.text.substr(0, 500);
  json end = s.WaitForEnd(started.body.value("id", ""));
  ASSERT_EQ(end.value("status", ""), "completed") << end.dump().substr(0, 2000);
  const json& verify = end["result"]["verify"];
  EXPECT_TRUE(verify.value("passed", false)) << verify.dump().substr(0, 1000);
  EXPECT_GE(verify.value("links_skipped", 0), 1) << verify.dump().substr(0, 1000);
  for (const json& e : s.EmulatorLog()) {
    EXPECT_LT(e.value("path", "").size(), 8192u) << "a long href was fetched";
  }
  s.ExpectAlive();
}

}  // namespace
}  // namespace slipway::hostile
