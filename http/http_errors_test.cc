// http/http_errors_test.cc: every error status over real HTTP: 400, 401, 403, 404, 405, 409,
// 413, 415, 429 (long_poll_test.cc), 500 and 503, with the JSON error body.
#include <mutex>

#include "http/http_test_fixture.h"

namespace slipway::http::testing {
namespace {

using nlohmann::json;

class HttpErrorsTest : public HttpFixture {};

TEST_F(HttpErrorsTest, MissingOrUnknownTokenIs401) {
  Reply none = Get("/v1/workflows", "");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.error_code(), "unauthenticated");
  EXPECT_EQ(none.header("WWW-Authenticate"), "Bearer");
  Reply unknown = Get("/v1/workflows", "not-a-token");
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(unknown.body.find("not-a-token"), std::string::npos);
  Reply basic = Get("/v1/workflows", "", {{"Authorization", "Basic YWxpY2U6cHc="}});
  EXPECT_EQ(basic.status, 401);
}

TEST_F(HttpErrorsTest, UnknownRouteIs404AndWrongMethodIs405) {
  Reply route = Get("/v2/nothing");
  EXPECT_EQ(route.status, 404);
  EXPECT_EQ(route.error_code(), "not_found");
  Reply method = Call("DELETE", "/v1/workflows/wf-1");
  EXPECT_EQ(method.status, 405);
  EXPECT_EQ(method.error_code(), "method_not_allowed");
}

TEST_F(HttpErrorsTest, BadJsonIs400NamingTheProblem) {
  Reply r = Call("POST", "/v1/workflows", kOps, R"({"type": "seven", "tenant": })");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error_code(), "invalid_argument");
  EXPECT_EQ(r.json["error"]["field"], "body");
  EXPECT_NE(r.json["error"]["message"].get<std::string>().find("parse error"), std::string::npos)
      << r.body;
  Reply not_object = Call("POST", "/v1/workflows", kOps, "[1, 2]");
  EXPECT_EQ(not_object.status, 400);
  Reply empty = Call("POST", "/v1/workflows", kOps, "");
  EXPECT_EQ(empty.status, 400);
}

TEST_F(HttpErrorsTest, UnknownFieldIsRejectedByName) {
  Reply r = Post("/v1/workflows", {{"type", "seven"}, {"tenant", "client1"}, {"priority", 9}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json["error"]["field"], "priority");
  EXPECT_NE(r.json["error"]["message"].get<std::string>().find("priority"), std::string::npos);
}

TEST_F(HttpErrorsTest, TooDeepJsonIs400) {
  std::string deep = R"({"type":"seven","tenant":"client1","input":)";
  for (int i = 0; i < 40; ++i) deep += R"({"a":)";
  deep += "1";
  for (int i = 0; i < 40; ++i) deep += "}";
  deep += "}";
  Reply r = Call("POST", "/v1/workflows", kOps, deep);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.json["error"]["message"].get<std::string>().find("deeper"), std::string::npos);
}

TEST_F(HttpErrorsTest, OversizedBodyIs413) {
  std::string big = R"({"type":"seven","tenant":"client1","input":{"blob":")" +
                    std::string((1 << 20) + 10, 'x') + "\"}}";
  Reply r = Call("POST", "/v1/workflows", kOps, big);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.error_code(), "payload_too_large");
  // The same cap holds for a body that does not announce its length.
  Poco::Net::HTTPClientSession session("127.0.0.1", api_->port());
  Poco::Net::HTTPRequest req("POST", "/v1/workflows", Poco::Net::HTTPMessage::HTTP_1_1);
  req.set("Authorization", std::string("Bearer ") + kOps);
  req.setContentType("application/json");
  req.setChunkedTransferEncoding(true);
  session.sendRequest(req) << big;
  Poco::Net::HTTPResponse resp;
  session.receiveResponse(resp);
  EXPECT_EQ(resp.getStatus(), 413);
}

TEST_F(HttpErrorsTest, NonJsonContentTypeIs415) {
  Reply r = Call("POST", "/v1/workflows", kOps, R"({"type":"seven","tenant":"client1"})",
                 {{"Content-Type", "text/plain"}});
  EXPECT_EQ(r.status, 415);
  EXPECT_EQ(r.error_code(), "unsupported_media_type");
  Reply with_charset = Call("POST", "/v1/workflows", kOps, R"({"type":"seven","tenant":"client1"})",
                            {{"Content-Type", "application/json; charset=utf-8"}});
  EXPECT_EQ(with_charset.status, 201) << with_charset.body;
}

TEST_F(HttpErrorsTest, ExceptionEscapingAHandlerIs500WithTheRequestId) {
  std::mutex mu;
  std::vector<std::string> lines;
  HttpApiOptions o;
  o.port = 0;
  o.failpoints = &failpoints_;
  o.log = [&](const std::string& line) {
    std::lock_guard<std::mutex> lock(mu);
    lines.push_back(line);
  };
  StartApi(o);
  ASSERT_TRUE(failpoints_.Arm("http.dispatch.throw", "error*1").ok());
  Reply r = Get("/v1/workflows", kOps, {{"X-Request-Id", "req-500"}});
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.error_code(), "internal");
  EXPECT_NE(r.json["error"]["message"].get<std::string>().find("req-500"), std::string::npos);
  EXPECT_EQ(Get("/v1/workflows").status, 200);  // the server lives on
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(lines.size(), 1u);
  json logged = json::parse(lines[0]);
  EXPECT_EQ(logged["request_id"], "req-500");
  EXPECT_EQ(logged["level"], "error");
  EXPECT_EQ(lines[0].find(kOps), std::string::npos);
}

TEST_F(HttpErrorsTest, UnavailableStorageIs503) {
  faulty_->FailNextCommits(1, storage::testing::FaultyStore::When::kBefore);
  Reply r = Post("/v1/workflows", {{"type", "seven"}, {"tenant", "client1"}});
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(r.error_code(), "unavailable");
}

}  // namespace
}  // namespace slipway::http::testing
