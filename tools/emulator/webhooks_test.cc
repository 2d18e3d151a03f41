// tools/emulator/webhooks_test.cc: the emulated GitHub's webhook deliveries, received by a
// small loopback server: a ping for a new hook, a signed push after a contents PUT (with the
// commit's message), the admin push, and redelivery with the same GUID.
#include "tools/emulator/webhooks.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "engine/base/hmac.h"

namespace slipway::emulator {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Received {
  std::map<std::string, std::string> headers;
  std::string body;
};

// Records every request and answers 204.
class Receiver {
 public:
  Receiver() : socket_(Poco::Net::SocketAddress("127.0.0.1", 0)) {
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), socket_,
                                                       new Poco::Net::HTTPServerParams);
    server_->start();
  }
  ~Receiver() { server_->stopAll(true); }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(socket_.address().port()) + "/hook";
  }
  std::vector<Received> got() {
    std::lock_guard<std::mutex> lock(mu_);
    return got_;
  }

 private:
  class Handler : public Poco::Net::HTTPRequestHandler {
   public:
    explicit Handler(Receiver& r) : r_(r) {}
    void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) override {
      Received rec;
      for (const auto& [k, v] : req) rec.headers[k] = v;
      std::ostringstream body;
      body << req.stream().rdbuf();
      rec.body = body.str();
      {
        std::lock_guard<std::mutex> lock(r_.mu_);
        r_.got_.push_back(rec);
      }
      resp.setStatus(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
      resp.send();
    }
    Receiver& r_;
  };
  class Factory : public Poco::Net::HTTPRequestHandlerFactory {
   public:
    explicit Factory(Receiver& r) : r_(r) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
      return new Handler(r_);
    }
    Receiver& r_;
  };
  Poco::Net::ServerSocket socket_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  std::mutex mu_;
  std::vector<Received> got_;
};

class WebhookDeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("emu_hooks_" + std::to_string(::getpid()) + "_" + RandomHex(6));
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
  json Call(const std::string& method, const std::string& path, const json& body, int* status) {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(emu_->port()));
    Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    req.set("Authorization", "Bearer t");
    req.set("User-Agent", "test");
    const std::string text = body.is_null() ? "" : body.dump();
    req.setContentLength(static_cast<std::streamsize>(text.size()));
    session.sendRequest(req) << text;
    Poco::Net::HTTPResponse resp;
    std::istream& in = session.receiveResponse(resp);
    std::ostringstream ss;
    ss << in.rdbuf();
    *status = resp.getStatus();
    return json::parse(ss.str(), nullptr, false);
  }
  fs::path dir_;
  std::unique_ptr<Emulator> emu_;
  Receiver receiver_;
};

TEST_F(WebhookDeliveryTest, HooksGetSignedPingAndPushDeliveries) {
  int status = 0;
  Call("POST", "/repos/tmpl/site/generate", {{"owner", "acme"}, {"name", "t"}}, &status);
  ASSERT_EQ(status, 201);
  json hook = {{"name", "web"}, {"events", {"push"}},
               {"config", {{"url", receiver_.url()}, {"content_type", "json"}, {"secret", "s3cr3t"}}}};
  Call("POST", "/repos/acme/t/hooks", hook, &status);
  ASSERT_EQ(status, 201);
  ASSERT_EQ(receiver_.got().size(), 1u);
  Received ping = receiver_.got()[0];
  EXPECT_EQ(ping.headers["X-GitHub-Event"], "ping");
  EXPECT_EQ(ping.headers["X-Hub-Signature-256"], "sha256=" + HmacSha256Hex("s3cr3t", ping.body));

  json put = {{"message", "Add a page"}, {"content", "aGVsbG8="}, {"branch", "main"}};
  Call("PUT", "/repos/acme/t/contents/page.txt", put, &status);
  ASSERT_EQ(status, 201);
  ASSERT_EQ(receiver_.got().size(), 2u);
  Received push = receiver_.got()[1];
  EXPECT_EQ(push.headers["X-GitHub-Event"], "push");
  EXPECT_EQ(push.headers["X-Hub-Signature-256"], "sha256=" + HmacSha256Hex("s3cr3t", push.body));
  json p = json::parse(push.body);
  EXPECT_EQ(p["ref"], "refs/heads/main");
  EXPECT_EQ(p["repository"]["full_name"], "acme/t");
  EXPECT_EQ(p["pusher"]["name"], kApiPusher);
  ASSERT_EQ(p["commits"].size(), 1u);
  EXPECT_EQ(p["commits"][0]["message"], "Add a page");
  EXPECT_EQ(p["after"], p["head_commit"]["id"]);

  // A human's push to a new branch lists its commit; redelivery keeps the GUID.
  json admin = Call("POST", "/_admin/github/push",
                    {{"repo", "acme/t"}, {"branch", "production"}, {"files", {{"a.txt", "x"}}},
                     {"message", "Human edit"}, {"pusher", "alice"}},
                    &status);
  ASSERT_EQ(status, 200) << admin.dump();
  ASSERT_EQ(admin["deliveries"].size(), 1u);
  EXPECT_EQ(admin["deliveries"][0]["status_code"], 204);
  json human = json::parse(receiver_.got()[2].body);
  EXPECT_EQ(human["created"], true);
  EXPECT_EQ(human["pusher"]["name"], "alice");
  ASSERT_EQ(human["commits"].size(), 1u);
  EXPECT_EQ(human["commits"][0]["message"], "Human edit");
  const std::string id = std::to_string(admin["deliveries"][0]["id"].get<int64_t>());
  Call("POST", "/_admin/deliveries/" + id + "/redeliver", nullptr, &status);
  EXPECT_EQ(status, 200);
  ASSERT_EQ(receiver_.got().size(), 4u);
  EXPECT_EQ(receiver_.got()[3].headers["X-GitHub-Delivery"],
            receiver_.got()[2].headers["X-GitHub-Delivery"]);
  EXPECT_EQ(receiver_.got()[3].body, receiver_.got()[2].body);
}

}  // namespace
}  // namespace slipway::emulator
