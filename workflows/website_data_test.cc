// workflows/website_data_test.cc: the website_data schema (website_data.h), field by field,
// through the deployment's input validation as the API runs it.
#include "workflows/website_data.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "workflows/deployment_workflow.h"

namespace slipway::workflows {
namespace {

using nlohmann::json;

json Valid() {
  return {{"siteName", "Harbour Bakery"},
          {"tagline", "Fresh bread\nby the water"},
          {"contactEmail", "hello@harbour-bakery.example"},
          {"pages",
           {{{"slug", "index"}, {"title", "Home"}, {"body", "Sourdough <b>daily</b>"}},
            {{"slug", "about-us"}, {"title", "About \"us\""}}}},
          {"links", {{{"label", "Menu"}, {"href", "https://example.com/menu.pdf"}}}},
          {"custom", {{"theme", "dark"}, {"columns", 3}, {"show_map", true}, {"banner", nullptr}}}};
}

// The field named by the deployment's validation of `data` ("" when it passes).
std::string FieldOf(const json& data) {
  Status s = ValidateDeploymentInput({{"website_data", data}});
  if (s.ok()) return "";
  EXPECT_EQ(s.code(), Code::kInvalidArgument) << s.ToString();
  return s.field().empty() ? "(no field)" : s.field();
}

template <typename Edit>
std::string FieldAfter(Edit edit) {
  json data = Valid();
  edit(data);
  return FieldOf(data);
}

TEST(WebsiteDataTest, TheDocumentedExampleAndTheFixturePass) {
  EXPECT_EQ(FieldOf(Valid()), "");
  EXPECT_TRUE(ValidateDeploymentInput(json::object()).ok());  // website_data stays optional
  json minimal = {{"siteName", "A"}, {"pages", {{{"slug", "index"}, {"title", "Home"}}}}};
  EXPECT_EQ(FieldOf(minimal), "");
}

TEST(WebsiteDataTest, RequiredKeysAndTypes) {
  EXPECT_EQ(FieldOf("x"), "website_data");
  EXPECT_EQ(FieldAfter([](json& d) { d.erase("siteName"); }), "website_data.siteName");
  EXPECT_EQ(FieldAfter([](json& d) { d.erase("pages"); }), "website_data.pages");
  EXPECT_EQ(FieldAfter([](json& d) { d["siteName"] = 7; }), "website_data.siteName");
  EXPECT_EQ(FieldAfter([](json& d) { d["tagline"] = json::array(); }), "website_data.tagline");
  EXPECT_EQ(FieldAfter([](json& d) { d["pages"] = json::object(); }), "website_data.pages");
  EXPECT_EQ(FieldAfter([](json& d) { d["pages"][1] = "about"; }), "website_data.pages[1]");
  EXPECT_EQ(FieldAfter([](json& d) { d["pages"][1].erase("title"); }),
            "website_data.pages[1].title");
  EXPECT_EQ(FieldAfter([](json& d) { d["pages"][0].erase("slug"); }), "website_data.pages[0].slug");
  EXPECT_EQ(FieldAfter([](json& d) { d["pages"][0]["body"] = 1; }), "website_data.pages[0].body");
  EXPECT_EQ(FieldAfter([](json& d) { d["links"] = "x"; }), "website_data.links");
  EXPECT_EQ(FieldAfter([](json& d) { d["links"][0].erase("href"); }), "website_data.links[0].href");
  EXPECT_EQ(FieldAfter([](json& d) { d["custom"] = json::array(); }), "website_data.custom");
  EXPECT_EQ(FieldAfter([](json& d) {
              d["custom"]["nested"] = {{"a", 1}};
            }),
            "website_data.custom.nested");
}

TEST(WebsiteDataTest, StringLengthsAreCappedInCharactersNotBytes) {
  EXPECT_EQ(FieldAfter([](json& d) { d["siteName"] = ""; }), "website_data.siteName");
  EXPECT_EQ(FieldAfter([](json& d) { d["siteName"] = std::string(101, 'a'); }),
            "website_data.siteName");
  std::string hundred_e_acute;
  for (int i = 0; i < 100; ++i) hundred_e_acute += "\xC3\xA9";  // 200 bytes, 100 characters
  EXPECT_EQ(FieldAfter([&](json& d) { d["siteName"] = hundred_e_acute; }), "");
  EXPECT_EQ(FieldAfter([](json& d) { d["tagline"] = std::string(201, 'a'); }),
            "website_data.tagline");
  EXPECT_EQ(FieldAfter([](json& d) { d["pages"][0]["title"] = std::string(201, 'a'); }),
            "website_data.pages[0].title");
  EXPECT_EQ(
      FieldAfter([](json& d) { d["pages"][0]["body"] = std::string(kMaxPageBodyLength, 'a'); }),
      "");
  EXPECT_EQ(
      FieldAfter([](json& d) { d["pages"][0]["body"] = std::string(kMaxPageBodyLength + 1, 'a'); }),
      "website_data.pages[0].body");
  EXPECT_EQ(FieldAfter([](json& d) { d["links"][0]["label"] = std::string(101, 'a'); }),
            "website_data.links[0].label");
  EXPECT_EQ(FieldAfter([](json& d) { d["custom"]["theme"] = std::string(2001, 'a'); }),
            "website_data.custom.theme");
}

TEST(WebsiteDataTest, OneLineFieldsRefuseControlCharacters) {
  EXPECT_EQ(FieldAfter([](json& d) { d["siteName"] = "A\nB"; }), "website_data.siteName");
  EXPECT_EQ(FieldAfter([](json& d) { d["pages"][0]["title"] = std::string("A\0B", 3); }),
            "website_data.pages[0].title");
  EXPECT_EQ(FieldAfter([](json& d) { d["pages"][0]["body"] = "line\r\nline\tend"; }), "");
  EXPECT_EQ(FieldAfter([](json& d) { d["pages"][0]["body"] = "bell\x07"; }),
            "website_data.pages[0].body");
}

TEST(WebsiteDataTest, ArraySizesAreCapped) {
  EXPECT_EQ(FieldAfter([](json& d) { d["pages"] = json::array(); }), "website_data.pages");
  json many = Valid();
  many["pages"] = json::array();
  for (size_t i = 0; i < kMaxPages; ++i) {
    many["pages"].push_back({{"slug", "p" + std::to_string(i)}, {"title", "T"}});
  }
  EXPECT_EQ(FieldOf(many), "");
  many["pages"].push_back({{"slug", "one-more"}, {"title", "T"}});
  EXPECT_EQ(FieldOf(many), "website_data.pages");
  EXPECT_EQ(FieldAfter([](json& d) {
              d["links"] = json::array();
              for (size_t i = 0; i <= kMaxLinks; ++i)
                d["links"].push_back({{"label", "l"}, {"href", "/"}});
            }),
            "website_data.links");
  EXPECT_EQ(FieldAfter([](json& d) {
              for (size_t i = 0; i < kMaxCustomEntries; ++i)
                d["custom"]["k" + std::to_string(i)] = 1;
            }),
            "website_data.custom");
}

TEST(WebsiteDataTest, TheTraversalSlugAndOtherBadSlugsAreRefused) {
  for (const std::string& slug : std::vector<std::string>{
           "../../../../../../tmp/x", "/etc/passwd", "a/b", "..", ".", "", "About", "a_b", "a.b",
           "-lead", "trail-", "a b", "caf\xC3\xA9", std::string(65, 'a'), std::string("a\0b", 3)}) {
    EXPECT_FALSE(IsValidSlug(slug)) << slug;
    EXPECT_EQ(FieldAfter([&](json& d) { d["pages"][1]["slug"] = slug; }),
              "website_data.pages[1].slug")
        << slug;
  }
  for (const std::string& slug :
       std::vector<std::string>{"index", "about-us", "2026", "a", std::string(64, 'z')}) {
    EXPECT_TRUE(IsValidSlug(slug)) << slug;
  }
  EXPECT_EQ(FieldAfter([](json& d) { d["pages"][1]["slug"] = "index"; }),
            "website_data.pages[1].slug");  // two pages, one file
}

TEST(WebsiteDataTest, ScriptHrefsAreRefused) {
  for (const std::string& href : std::vector<std::string>{
           "javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "java\tscript:x",
           "javascript&colon;alert(1)x:y", "data:text/html,<script>", "vbscript:x",
           "file:///etc/passwd", "//evil.example/", "/\\evil.example", "https://", "https:///x",
           "http://a b", "x\" onclick=\"y", "mailto:not-an-address", "tel:call-me", "",
           std::string(2049, 'a')}) {
    EXPECT_FALSE(IsSafeHref(href)) << href;
    EXPECT_EQ(FieldAfter([&](json& d) { d["links"][0]["href"] = href; }),
              "website_data.links[0].href")
        << href;
  }
  for (const std::string& href :
       std::vector<std::string>{"https://example.com", "HTTP://example.com/a?b=c#d",
                                "mailto:me@example.com", "tel:+44(0)20-7946.0000", "/about.html",
                                "about.html", "#contact", "?page=2", "sub/page.html"}) {
    EXPECT_TRUE(IsSafeHref(href)) << href;
  }
}

TEST(WebsiteDataTest, ContactEmailIsAnAddressBeforeItBecomesMailto) {
  for (const std::string& email : std::vector<std::string>{
           "me", "@example.com", "me@", "me@@example.com", "me@-example.com", "me@example-.com",
           "me@exa_mple.com", "me@example..com", "a b@example.com", "me@example.com?cc=x@y.z",
           "\"><script>@x.com", "me@example.com\" onmouseover=\"x", std::string(65, 'a') + "@x.com",
           "a@" + std::string(64, 'b') + ".com", std::string(60 * 1024, 'a') + "@alpha.test"}) {
    EXPECT_FALSE(IsValidEmail(email)) << email.substr(0, 80);
    EXPECT_EQ(FieldAfter([&](json& d) { d["contactEmail"] = email; }), "website_data.contactEmail")
        << email.substr(0, 80);
  }
  for (const std::string& email :
       std::vector<std::string>{"hello@harbour-bakery.example", "o'brien&sons@example.com",
                                "first.last+tag@mail.example.co.uk", "me@localhost"}) {
    EXPECT_TRUE(IsValidEmail(email)) << email;
  }
  EXPECT_EQ(FieldAfter([](json& d) { d["contactEmail"] = 5; }), "website_data.contactEmail");
}

TEST(WebsiteDataTest, UnknownKeysAreRefusedOutsideCustom) {
  EXPECT_EQ(FieldAfter([](json& d) { d["stripe_api_key"] = "sk"; }), "website_data.stripe_api_key");
  EXPECT_EQ(FieldAfter([](json& d) { d["pages"][0]["slugs"] = "x"; }),
            "website_data.pages[0].slugs");
  EXPECT_EQ(FieldAfter([](json& d) { d["links"][0]["target"] = "_blank"; }),
            "website_data.links[0].target");
  // A key that is not a plain name is not echoed into the field.
  EXPECT_EQ(FieldAfter([](json& d) { d[""] = 1; }), "website_data");
  EXPECT_EQ(FieldAfter([](json& d) { d["a.b\"<x>"] = 1; }), "website_data");
  EXPECT_EQ(FieldAfter([](json& d) { d[std::string(65, 'k')] = 1; }), "website_data");
  EXPECT_EQ(FieldAfter([](json& d) { d["custom"]["bad key"] = 1; }), "website_data.custom");
  EXPECT_EQ(FieldAfter([](json& d) { d["custom"]["stripe_api_key"] = "sk_live_x"; }), "");
}

// docs/openapi.json's WebsiteData says what this check does: its example passes, its caps are
// the constants, and the deployment input refers to it.
TEST(WebsiteDataTest, TheOpenApiSchemaMatchesTheCheck) {
  std::ifstream in(std::string(SLIPWAY_FIXTURES_DIR) + "/../../docs/openapi.json");
  json doc = json::parse(in, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(doc.is_object());
  const json& schemas = doc["components"]["schemas"];
  EXPECT_EQ(schemas["DeploymentInput"]["properties"]["website_data"]["$ref"],
            "#/components/schemas/WebsiteData");
  const json& site = schemas["WebsiteData"];
  EXPECT_EQ(FieldOf(site["example"]), "");
  EXPECT_EQ(site["additionalProperties"], false);
  std::vector<std::string> keys;
  for (const auto& [key, _] : site["properties"].items()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"contactEmail", "custom", "links", "pages", "siteName",
                                            "tagline"}));
  EXPECT_EQ(site["required"], json({"siteName", "pages"}));
  EXPECT_EQ(site["properties"]["pages"]["maxItems"], kMaxPages);
  EXPECT_EQ(site["properties"]["links"]["maxItems"], kMaxLinks);
  EXPECT_EQ(site["properties"]["contactEmail"]["maxLength"], kMaxEmailLength);
  EXPECT_EQ(site["properties"]["custom"]["maxProperties"], kMaxCustomEntries);
  EXPECT_EQ(schemas["WebsitePage"]["properties"]["slug"]["maxLength"], kMaxSlugLength);
  EXPECT_EQ(schemas["WebsitePage"]["properties"]["body"]["maxLength"], kMaxPageBodyLength);
  EXPECT_EQ(schemas["WebsiteLink"]["properties"]["href"]["maxLength"], kMaxHrefLength);
}

}  // namespace
}  // namespace slipway::workflows
