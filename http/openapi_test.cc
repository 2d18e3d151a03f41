// http/openapi_test.cc: docs/openapi.json and the router's table name the same endpoints, and
// the server serves the document.
#include "http/openapi.h"

#include <fstream>
#include <set>

#include "http/http_test_fixture.h"
#include "http/router.h"

namespace slipway::http::testing {
namespace {

using nlohmann::json;

std::set<std::string> DocumentedEndpoints(const json& doc) {
  std::set<std::string> out;
  for (const auto& [path, item] : doc.at("paths").items()) {
    for (const auto& [method, op] : item.items()) {
      std::string m = method;
      for (char& c : m) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out.insert(m + " " + path);
    }
  }
  return out;
}

TEST(OpenApiTest, DocumentAndRouterNameTheSameEndpoints) {
  json doc = json::parse(EmbeddedOpenApi(), nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  EXPECT_EQ(doc["openapi"].get<std::string>().substr(0, 2), "3.");
  std::set<std::string> routed;
  for (const Route& r : Routes()) routed.insert(std::string(r.method) + " " + r.pattern);
  EXPECT_EQ(DocumentedEndpoints(doc), routed);
}

TEST(OpenApiTest, PublicRoutesAreDocumentedWithoutSecurity) {
  json doc = json::parse(EmbeddedOpenApi());
  for (const Route& r : Routes()) {
    std::string m = r.method;
    for (char& c : m) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const json& op = doc["paths"][r.pattern][m];
    const bool open = op.contains("security") && op["security"].empty();
    EXPECT_EQ(open, r.access == Access::kPublic) << r.method << " " << r.pattern;
  }
}

class OpenApiServedTest : public HttpFixture {};

// Every top-level key of a served workflow is in the document's Workflow schema.
TEST_F(OpenApiServedTest, WorkflowSchemaNamesEveryServedKey) {
  json doc = json::parse(EmbeddedOpenApi());
  std::set<std::string> documented;
  for (const json& part : doc["components"]["schemas"]["Workflow"]["allOf"]) {
    const json& schema =
        part.contains("$ref") ? doc["components"]["schemas"]["WorkflowSummary"] : part;
    for (const auto& [key, _] : schema["properties"].items()) documented.insert(key);
  }
  Reply r = Post("/v1/workflows", {{"type", "seven"}, {"tenant", "client1"}});
  ASSERT_EQ(r.status, 201) << r.body;
  Reply got = Get("/v1/workflows/" + r.json["id"].get<std::string>());
  for (const json& served : {r.json, got.json}) {
    for (const auto& [key, _] : served.items()) EXPECT_TRUE(documented.count(key)) << key;
  }
  EXPECT_TRUE(got.json.contains("history"));
}

TEST_F(OpenApiServedTest, ServedWithoutToken) {
  Reply r = Get("/v1/openapi.json", "");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json, json::parse(EmbeddedOpenApi()));
}

TEST_F(OpenApiServedTest, ServesTheDocumentAtTheConfiguredPath) {
  const std::string path = dir_ + "/openapi.json";
  std::ofstream(path) << R"({"openapi": "3.0.3", "paths": {}})";
  HttpApiOptions o;
  o.port = 0;
  o.openapi_path = path;
  StartApi(o);
  EXPECT_EQ(Get("/v1/openapi.json", "").json["paths"], json::object());
  HttpApi missing(engine(), tokens_, [] {
    HttpApiOptions m;
    m.port = 0;
    m.openapi_path = "/nonexistent/openapi.json";
    return m;
  }());
  EXPECT_EQ(missing.Start().code(), Code::kNotFound);
}

}  // namespace
}  // namespace slipway::http::testing
