// The emulator's flaky-cloud behaviours: errors after the effect, rate-limit header shapes on
// faults, and GitHub Link pagination (issue 12). Over loopback with Poco's HTTP client.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tools/emulator/emu_http.h"
#include "tools/emulator/emulator.h"

namespace slipway::emulator {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;
  std::string body;
  json Json() const { return json::parse(body, nullptr, false); }
  bool Has(const std::string& h) const { return headers.count(h) > 0; }
};

class FlakyCloudTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("emu_flaky_" + std::to_string(::getpid()) + "_" + RandomHex(6));
    fs::create_directories(dir_ / "template");
    std::ofstream(dir_ / "template" / "package.json") << "{\"name\":\"site\"}\n";
    EmulatorOptions o;
    o.data_dir = (dir_ / "data").string();
    o.template_dir = (dir_ / "template").string();
    o.template_repo = "tmpl/site";
    auto started = Emulator::Start(o);
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    emu_ = std::move(*started);
  }
  void TearDown() override {
    emu_.reset();
    fs::remove_all(dir_);
  }
  Reply Call(const std::string& method, const std::string& path, const std::string& body = "") {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(emu_->port()));
    Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    req.set("Authorization", "Bearer t");
    req.set("User-Agent", "test");
    req.setContentLength(static_cast<std::streamsize>(body.size()));
    session.sendRequest(req) << body;
    Poco::Net::HTTPResponse resp;
    std::istream& in = session.receiveResponse(resp);
    Reply r;
    r.status = resp.getStatus();
    for (const auto& [k, v] : resp) r.headers[k] = v;
    std::ostringstream ss;
    ss << in.rdbuf();
    r.body = ss.str();
    return r;
  }
  void Faults(const std::string& j) { ASSERT_TRUE(emu_->faults().Configure(j).ok()); }
  int64_t NowS() const {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch()).count();
  }

  fs::path dir_;
  std::unique_ptr<Emulator> emu_;
};

TEST_F(FlakyCloudTest, ErrorAfterTheEffectLandsTheEffectAndAnswers5xx) {
  Faults(R"({"rules":[{"method":"POST","path":"/repos/*/generate","status":502,"after_effect":true}]})");
  Reply r = Call("POST", "/repos/tmpl/site/generate", json{{"owner", "acme"}, {"name", "x"}}.dump());
  EXPECT_EQ(r.status, 502);
  EXPECT_EQ(Call("GET", "/repos/acme/x").status, 200);  // it exists all the same
  EXPECT_EQ(emu_->log().Count("repo_created", "acme/x"), 1);
  bool logged = false;
  for (const LogEntry& e : emu_->log().Entries()) {
    logged = logged || (e.effect == "repo_created" && e.fault == "status_502_after_effect");
  }
  EXPECT_TRUE(logged);
}

TEST_F(FlakyCloudTest, FailedRouteBehindAnAfterEffectFaultHasNoEffect) {
  Faults(R"({"rules":[{"method":"POST","path":"/repos/*/generate","status":502,"after_effect":true}]})");
  // The template does not exist: the route fails, so nothing lands.
  Call("POST", "/repos/nobody/none/generate", json{{"owner", "acme"}, {"name", "y"}}.dump());
  EXPECT_EQ(emu_->log().Count("repo_created"), 0);
}

TEST_F(FlakyCloudTest, FaultsCarryNoRateLimitHeadersUnlessAsked) {
  Faults(R"({"rules":[{"path":"/repos/*","status":503,"times":1}]})");
  Reply plain = Call("GET", "/repos/tmpl/site");
  EXPECT_EQ(plain.status, 503);
  EXPECT_FALSE(plain.Has("x-ratelimit-reset"));
  EXPECT_FALSE(plain.Has("x-ratelimit-remaining"));
  EXPECT_FALSE(plain.Has("Retry-After"));
}

TEST_F(FlakyCloudTest, ServerErrorWithWindowLeftAndAFarReset) {
  Faults(R"({"rules":[{"path":"/repos/*","status":502,"ratelimit_remaining":4999,
                       "ratelimit_reset_s":3600}]})");
  Reply r = Call("GET", "/repos/tmpl/site");
  EXPECT_EQ(r.status, 502);
  EXPECT_EQ(r.headers["x-ratelimit-remaining"], "4999");
  EXPECT_EQ(r.headers["x-ratelimit-limit"], "5000");
  EXPECT_EQ(r.headers["x-ratelimit-resource"], "core");
  int64_t reset = std::stoll(r.headers["x-ratelimit-reset"]);
  EXPECT_GE(reset, NowS() + 3590);
  EXPECT_LE(reset, NowS() + 3601);
}

TEST_F(FlakyCloudTest, LimitHeadersTakeEachFamilysShape) {
  Faults(R"({"rules":[{"path":"/v1/messages","status":529,"ratelimit_remaining":0,"ratelimit_reset_s":30},
                      {"path":"/v9/*","status":429,"retry_after_s":1,"ratelimit_remaining":0}]})");
  Reply a = Call("POST", "/v1/messages", "{}");
  EXPECT_EQ(a.status, 529);
  EXPECT_EQ(a.Json()["error"]["type"], "overloaded_error");
  EXPECT_EQ(a.headers["anthropic-ratelimit-requests-remaining"], "0");
  EXPECT_NE(a.headers["anthropic-ratelimit-requests-reset"].find('T'), std::string::npos);
  Reply v = Call("GET", "/v9/projects/p");
  EXPECT_EQ(v.status, 429);
  EXPECT_EQ(v.headers["Retry-After"], "1");
  EXPECT_EQ(v.headers["X-RateLimit-Remaining"], "0");
  json limit = v.Json()["error"]["limit"];
  EXPECT_EQ(v.Json()["error"]["code"], "rate_limited");
  EXPECT_EQ(limit["remaining"], 0);
  EXPECT_GE(limit["reset"].get<int64_t>(), NowS());
}

TEST_F(FlakyCloudTest, HookListIsPaginatedWithALinkHeader) {
  ASSERT_EQ(Call("POST", "/repos/tmpl/site/generate", json{{"owner", "acme"}, {"name", "h"}}.dump())
                .status, 201);
  for (int i = 0; i < 35; ++i) {
    json hook = {{"config", {{"url", "https://hooks.test/" + std::to_string(i)}}}};
    ASSERT_EQ(Call("POST", "/repos/acme/h/hooks", hook.dump()).status, 201);
  }
  Reply first = Call("GET", "/repos/acme/h/hooks");
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.Json().size(), 30u);  // GitHub's default page
  const std::string link = first.headers["Link"];
  EXPECT_NE(link.find("per_page=30&page=2>; rel=\"next\""), std::string::npos) << link;
  EXPECT_NE(link.find("page=2>; rel=\"last\""), std::string::npos) << link;
  Reply second = Call("GET", "/repos/acme/h/hooks?page=2");
  EXPECT_EQ(second.Json().size(), 5u);
  EXPECT_EQ(second.Json()[4]["config"]["url"], "https://hooks.test/34");
  EXPECT_NE(second.headers["Link"].find("rel=\"prev\""), std::string::npos);
  EXPECT_EQ(second.headers["Link"].find("rel=\"next\""), std::string::npos);
  Reply all = Call("GET", "/repos/acme/h/hooks?per_page=100");
  EXPECT_EQ(all.Json().size(), 35u);
  EXPECT_FALSE(all.Has("Link"));
}

}  // namespace
}  // namespace slipway::emulator
