// tests/hostile/regex_and_bytes_test.cc: issue 10 item 2 (no regex over attacker-sized text)
// against a real slipwayd: a secret-shaped 90 KB page body (the schema's cap is 100,000
// characters) is accepted, redacted in history and kills nothing; a 900 KB one and a 60 KB
// contact address are refused at the door (issue 11's website_data schema). The crawler's
// 60 KB href is covered by activities/site_url_test.cc (no website_data value can carry one).
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

// "token " + 90 KB of letters: std::regex redaction recursed per character and overflowed the
// stack (from about 30 KB) when this reached history. 900 KB no longer gets in.
TEST_F(HostileTest, HugeSecretShapedTextIsRedactedInHistoryAndKillsNothing) {
  SlipwaydProcess& s = server();
  s.Onboard("alpha");
  const size_t before = s.EmulatorLog().size();
  Reply huge = s.Call("POST", "/v1/workflows", s.token("alpha"),
                      Deployment(WebsiteData("token " + std::string(900 * 1024, 'A'))));
  EXPECT_EQ(huge.status, 400) << huge.text.substr(0, 500);
  EXPECT_EQ(huge.body["error"].value("field", ""), "website_data.pages[0].body");
  EXPECT_EQ(s.EmulatorLogSince(before).size(), 0u);
  const std::string secret = "token " + std::string(90 * 1024, 'A');
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

// The template's footer links to mailto:<contactEmail>: a 60 KB address was a 60 KB href on the
// deployed page, which killed the regex crawler. The schema caps an address at 254 characters.
TEST_F(HostileTest, ASixtyKilobyteContactAddressIsRefusedAtTheDoor) {
  SlipwaydProcess& s = server();
  const size_t before = s.EmulatorLog().size();
  const std::string contact = std::string(60 * 1024, 'a') + "@alpha.test";
  Reply started = s.Call("POST", "/v1/workflows", s.token("alpha"),
                         Deployment(WebsiteData("welcome", contact)));
  EXPECT_EQ(started.status, 400) << started.text.substr(0, 500);
  EXPECT_EQ(started.body["error"].value("field", ""), "website_data.contactEmail");
  EXPECT_EQ(s.EmulatorLogSince(before).size(), 0u);
  s.ExpectAlive();
}

}  // namespace
}  // namespace slipway::hostile
