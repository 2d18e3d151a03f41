// http/io_server_test.cc: IoServer on its own, with a handler factory that answers any size:
// a client that does not read a big answer served on the event loop holds up only its own
// connection (the rest of the answer waits in the outbox), and gets every byte once it reads;
// an oversized request head is answered 431 by the loop and never reaches a handler; a body
// is read by the loop, so that its handler gets it whole and a client trickling one holds no
// pool thread (io_server_body_test.cc).
#include "http/io_server.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>

#include "http/testing/raw_client.h"

namespace slipway::http {
namespace {

using testing::RawClient;

constexpr size_t kBig = 16 << 20;  // more than loopback TCP buffers hold (a few MiB)

// GET /v1/workflows/big answers kBig bytes, anything else "ok"; both whole (sendBuffer).
class SizedAnswers final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    ++requests;
    return new Handler;
  }
  std::atomic<int> requests{0};  // that reached Poco and a handler (loop or pool)

 private:
  class Handler final : public Poco::Net::HTTPRequestHandler {
   public:
    void handleRequest(Poco::Net::HTTPServerRequest& req,
                       Poco::Net::HTTPServerResponse& resp) override {
      static const std::string big(kBig, 'x');
      const std::string body = req.getURI() == "/v1/workflows/big" ? big : "ok";
      resp.sendBuffer(body.data(), body.size());
    }
  };
};

int ListenOnLoopback(uint16_t& port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || listen(fd, 16) != 0) {
    close(fd);
    return -1;
  }
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port = ntohs(addr.sin_port);
  return fd;
}

TEST(IoServerTest, AClientThatDoesNotReadABigAnswerHoldsUpNobodyElse) {
  uint16_t port = 0;
  const int listen_fd = ListenOnLoopback(port);
  ASSERT_GE(listen_fd, 0);
  SizedAnswers answers;
  IoServerOptions o;
  o.loops = 1;  // everyone on the one loop
  IoServer server(listen_fd, answers, new Poco::Net::HTTPServerParams, o);
  server.Start();

  RawClient stuck(port);
  ASSERT_TRUE(stuck.connected());
  stuck.WriteGet("/v1/workflows/big");  // read later
  ASSERT_TRUE(stuck.AnswerStarted());    // the loop is answering it

  RawClient quick(port);
  ASSERT_TRUE(quick.connected());
  for (int i = 0; i < 3; ++i) {
    quick.WriteGet("/v1/workflows/small");
    const std::string r = quick.ReadResponse();
    EXPECT_EQ(r.compare(0, 12, "HTTP/1.1 200"), 0) << r.substr(0, 100);
    EXPECT_EQ(r.substr(r.size() - 2), "ok");
  }

  const std::string big = stuck.ReadResponse();
  EXPECT_EQ(big.compare(0, 12, "HTTP/1.1 200"), 0);
  EXPECT_EQ(big.size() - big.find("\r\n\r\n") - 4, kBig);
  stuck.WriteGet("/v1/workflows/small");  // and it carries on
  EXPECT_EQ(stuck.ReadResponse().compare(0, 12, "HTTP/1.1 200"), 0);
  server.Stop();
}

// The attack: heads over the limit, one whole and one still arriving (a line at a time, as a
// slowloris would). Each gets 431 with the JSON error from the loop, and its connection
// closes; no handler (and so no pool thread) ever saw them.
TEST(IoServerTest, OversizedHeadsGet431OnTheLoopAndNeverReachAHandler) {
  uint16_t port = 0;
  const int listen_fd = ListenOnLoopback(port);
  ASSERT_GE(listen_fd, 0);
  SizedAnswers answers;
  IoServerOptions o;
  o.loops = 1;
  IoServer server(listen_fd, answers, new Poco::Net::HTTPServerParams, o);
  server.Start();

  std::string lines = "POST /v1/workflows HTTP/1.1\r\nHost: x\r\n";
  while (lines.size() <= o.max_head) lines += "X-Pad: 0123456789abcdef0123456789abcdef\r\n";
  const std::string whole = "GET /v1/workflows/small HTTP/1.1\r\nX: " +
                            std::string(o.max_head, 'a') + "\r\n\r\n";
  for (const std::string& attack : {lines, whole}) {
    RawClient c(port);
    ASSERT_TRUE(c.connected());
    c.Write(attack);
    const std::string r = c.ReadResponse();
    EXPECT_EQ(r.compare(0, 12, "HTTP/1.1 431"), 0) << r.substr(0, 100);
    EXPECT_NE(r.find("\"code\":\"request_head_too_large\""), std::string::npos) << r;
    EXPECT_NE(r.find("\"field\":\"head\""), std::string::npos) << r;
    EXPECT_TRUE(c.ClosedByServer());
  }
  EXPECT_EQ(answers.requests.load(), 0);

  RawClient next(port);  // and the server serves on
  ASSERT_TRUE(next.connected());
  next.WriteGet("/v1/workflows/small");
  EXPECT_EQ(next.ReadResponse().compare(0, 12, "HTTP/1.1 200"), 0);
  EXPECT_EQ(answers.requests.load(), 1);
  server.Stop();
}

}  // namespace
}  // namespace slipway::http
