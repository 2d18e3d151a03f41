// http/http_test_fixture.h: an HttpApi on an ephemeral loopback port in front of a real
// Engine (SqliteStore in a temp dir, FakeClock, RecordingActivity; engine/testing), tokens for
// every role, and a small blocking HTTP client (Poco HTTPClientSession) to call it.
//
// Workflow types: "seven", "serial", "routed" (engine/testing/test_workflow.h) and
// "deployment" (seven steps, serial per tenant), the one type tenant tokens may start.
// The test thread drives work with RunDue(); requests may run on other threads.
#pragma once

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>

#include <map>
#include <memory>
#include <sstream>
#include <string>

#include "engine/base/sha256.h"
#include "engine/testing/engine_fixture.h"
#include "http/auth.h"
#include "http/http_api.h"

namespace slipway::http::testing {

inline constexpr const char* kOps = "ops-secret-token";
inline constexpr const char* kAuditor = "auditor-secret-token";
inline constexpr const char* kClient1 = "client1-secret-token";
inline constexpr const char* kClient2 = "client2-secret-token";
inline constexpr const char* kApprover = "approver-secret-token";

struct Reply {
  int status = 0;
  std::string body;
  nlohmann::json json;  // parsed when the body is JSON
  std::map<std::string, std::string> headers;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
  std::string error_code() const {
    return json.is_object() && json.contains("error") ? json["error"].value("code", "") : "";
  }
};

inline Reply Send(uint16_t port, const std::string& method, const std::string& path,
                  const std::string& token, const std::string& body,
                  const std::map<std::string, std::string>& headers) {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  session.setTimeout(Poco::Timespan(120, 0));
  Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!token.empty()) req.set("Authorization", std::string("Bearer ") + token);
  if (!body.empty()) req.setContentType("application/json");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.setContentLength(static_cast<std::streamsize>(body.size()));
  session.sendRequest(req) << body;
  Poco::Net::HTTPResponse resp;
  std::istream& in = session.receiveResponse(resp);
  Reply r;
  r.status = static_cast<int>(resp.getStatus());
  std::stringstream text;
  text << in.rdbuf();
  r.body = text.str();
  for (const auto& [k, v] : resp) r.headers[k] = v;
  if (resp.getContentType().find("application/json") != std::string::npos) {
    r.json = nlohmann::json::parse(r.body, nullptr, false);
  }
  return r;
}

class HttpFixture : public engine::testing::EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    ASSERT_TRUE(engine()
                    .RegisterType(engine::testing::SevenStepType(
                        "deployment", "rec", engine::testing::FastRetry(), true))
                    .ok());
    auto entry = [](const char* name, const char* role, const char* token) {
      return nlohmann::json{{"name", name}, {"role", role}, {"token_sha256", Sha256Hex(token)}};
    };
    auto tokens = TokenStore::FromJson(
        nlohmann::json::array({entry("alice", "ops", kOps), entry("bob", "auditor", kAuditor),
                               entry("client1-editor", "tenant:client1", kClient1),
                               entry("client2-editor", "tenant:client2", kClient2),
                               entry("carol", "approver", kApprover)}));
    ASSERT_TRUE(tokens.ok()) << tokens.status().ToString();
    tokens_ = *tokens;
    HttpApiOptions o;
    o.port = 0;
    o.failpoints = &failpoints_;
    StartApi(o);
  }
  void TearDown() override {
    api_.reset();
    EngineFixture::TearDown();
  }
  void StartApi(HttpApiOptions o) {
    api_.reset();
    api_ = std::make_unique<HttpApi>(engine(), tokens_, o);
    Status st = api_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  Reply Call(const std::string& method, const std::string& path, const std::string& token = kOps,
             const std::string& body = "", const std::map<std::string, std::string>& headers = {}) {
    return Send(api_->port(), method, path, token, body, headers);
  }
  Reply Get(const std::string& path, const std::string& token = kOps,
            const std::map<std::string, std::string>& headers = {}) {
    return Call("GET", path, token, "", headers);
  }
  Reply Post(const std::string& path, const nlohmann::json& body, const std::string& token = kOps,
             const std::map<std::string, std::string>& headers = {}) {
    return Call("POST", path, token, body.is_null() ? "" : body.dump(), headers);
  }
  // Starts a workflow over HTTP as ops and returns its id.
  std::string StartOver(const std::string& type, const std::string& tenant = "client1",
                        const std::string& token = kOps) {
    Reply r = Post("/v1/workflows", {{"type", type}, {"tenant", tenant}}, token);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json.is_object() ? r.json.value("id", "") : "";
  }

  TokenStore tokens_;
  std::unique_ptr<HttpApi> api_;
};

}  // namespace slipway::http::testing
