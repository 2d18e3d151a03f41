// http/console_test.cc: the web console's files are served from the binary at / and
// /console/<file> without a token, each with its content type and the console's CSP; unknown
// files are 404; /v1/whoami names the token's role. The pages themselves are tested in a real
// browser (tests/console, label "browser").
#include "http/console.h"

#include "http/http_test_fixture.h"

namespace slipway::http::testing {
namespace {

class ConsoleTest : public HttpFixture {};

void ExpectConsoleHeaders(const Reply& r) {
  EXPECT_EQ(r.header("Content-Security-Policy"), kConsoleCsp);
  EXPECT_EQ(r.header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(r.header("Referrer-Policy"), "no-referrer");
}

TEST_F(ConsoleTest, ServesThePageAtTheRootWithoutAToken) {
  Reply r = Get("/", "");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("Content-Type"), "text/html; charset=utf-8");
  ExpectConsoleHeaders(r);
  EXPECT_NE(r.body.find("/console/app.js"), std::string::npos);
  // No inline script or style: the CSP would refuse them anyway.
  EXPECT_EQ(r.body.find("<script>"), std::string::npos);
  EXPECT_EQ(r.body.find("<style"), std::string::npos);
  EXPECT_EQ(r.body.find(" style="), std::string::npos);
}

TEST_F(ConsoleTest, ServesEveryEmbeddedFileWithItsType) {
  ASSERT_FALSE(ConsoleFiles().empty());
  for (const ConsoleFile& f : ConsoleFiles()) {
    Reply r = Get(std::string("/console/") + f.name, "");
    ASSERT_EQ(r.status, 200) << f.name;
    EXPECT_EQ(r.header("Content-Type"), f.content_type) << f.name;
    EXPECT_EQ(r.body, std::string(f.data, f.size)) << f.name;
    ExpectConsoleHeaders(r);
  }
  EXPECT_EQ(Get("/console/app.js", "").header("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(Get("/console/console.css", "").header("Content-Type"), "text/css; charset=utf-8");
}

TEST_F(ConsoleTest, UnknownFilesAndOtherPathsAre404) {
  for (const char* path : {"/console/nope.js", "/console/..%2Fopenapi.json", "/console/",
                           "/console/%2e%2e", "/console/app.js/x", "/index.html"}) {
    Reply r = Get(path, "");
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.error_code(), "not_found") << path;
  }
  EXPECT_EQ(Get("/console/nope.js", "").header("Content-Security-Policy"), kConsoleCsp);
  EXPECT_EQ(Call("POST", "/", "").status, 405);
}

TEST_F(ConsoleTest, WhoAmINamesTheRoleOfTheToken) {
  Reply ops = Get("/v1/whoami", kOps);
  ASSERT_EQ(ops.status, 200) << ops.body;
  EXPECT_EQ(ops.json["role"], "ops");
  EXPECT_EQ(ops.json["name"], "alice");
  EXPECT_TRUE(ops.json["tenant"].is_null());
  Reply tenant = Get("/v1/whoami", kClient1);
  EXPECT_EQ(tenant.json["tenant"], "client1");
  EXPECT_EQ(tenant.json["role"], "tenant:client1");
  EXPECT_EQ(Get("/v1/whoami", kApprover).json["role"], "approver");
  EXPECT_EQ(Get("/v1/whoami", "").status, 401);
}

}  // namespace
}  // namespace slipway::http::testing
