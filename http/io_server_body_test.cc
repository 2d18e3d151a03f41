// http/io_server_body_test.cc: request bodies on the IoServer: the loop reads a body before a
// pool thread sees its request, so tricklers hold no thread (a one-thread pool with no queue
// still serves others) and are cut at the body deadline with 408; oversized, ambiguous and
// chunked bodies; "Expect: 100-continue"; each refusal is counted by reason.
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "http/io_server.h"
#include "http/testing/raw_client.h"

namespace slipway::http {
namespace {

using testing::RawClient;

// Answers "got <n>" with the number of body bytes it read.
class BodyCounter final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    ++requests;
    return new Handler;
  }
  std::atomic<int> requests{0};

 private:
  class Handler final : public Poco::Net::HTTPRequestHandler {
   public:
    void handleRequest(Poco::Net::HTTPServerRequest& req,
                       Poco::Net::HTTPServerResponse& resp) override {
      std::ostringstream body;
      body << req.stream().rdbuf();
      const std::string text = "got " + std::to_string(body.str().size());
      resp.sendBuffer(text.data(), text.size());
    }
  };
};

class IoServerBodyTest : public ::testing::Test {
 protected:
  void Start(IoServerOptions o) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    ASSERT_EQ(listen(fd, 64), 0);
    socklen_t len = sizeof(addr);
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    o.loops = 1;
    server_ = std::make_unique<IoServer>(fd, answers_, new Poco::Net::HTTPServerParams, o);
    server_->Start();
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }
  int64_t Refused(RefusalReason r) const { return server_->refusals().count(r); }

  static std::string Post(const std::string& headers, const std::string& body = "") {
    return "POST /v1/workflows HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n" + body;
  }
  static std::string Answer(const std::string& r) { return r.substr(r.find("\r\n\r\n") + 4); }

  BodyCounter answers_;
  std::unique_ptr<IoServer> server_;
  uint16_t port_ = 0;
};

// The pool has two threads, fewer than the four tricklers: if trickled bodies held them, the
// whole request would wait in the queue behind them until the read guard gives up. It is
// answered, and the tricklers never reach a handler.
TEST_F(IoServerBodyTest, TricklersHoldNoPoolThread) {
  IoServerOptions o;
  o.body_timeout = std::chrono::minutes(5);
  o.pool.min_threads = 2;
  o.pool.max_threads = 2;
  o.pool.max_queued = 16;  // a thread may still be on its way back from the last request
  Start(o);
  std::vector<std::unique_ptr<RawClient>> tricklers;
  for (int i = 0; i < 4; ++i) {
    tricklers.push_back(std::make_unique<RawClient>(port_));
    ASSERT_TRUE(tricklers.back()->connected());
    tricklers.back()->Write(Post("Content-Length: 100\r\n", "x"));
  }
  for (int i = 0; i < 3; ++i) {
    for (auto& t : tricklers) t->Write("x");
    RawClient whole(port_);
    whole.Write(Post("Content-Length: 10\r\n", "0123456789"));
    const std::string r = whole.ReadResponse();
    EXPECT_EQ(r.compare(0, 12, "HTTP/1.1 200"), 0) << r;
    EXPECT_EQ(Answer(r), "got 10");
  }
  EXPECT_EQ(answers_.requests.load(), 3);
  // A trickler that finishes is served like anyone, its body whole.
  tricklers[0]->Write(std::string(100 - 4, 'x'));
  EXPECT_EQ(Answer(tricklers[0]->ReadResponse()), "got 100");
  EXPECT_EQ(Refused(RefusalReason::kPoolFull), 0);
}

TEST_F(IoServerBodyTest, ABodyNotWholeByItsDeadlineIs408AndCounted) {
  IoServerOptions o;
  o.body_timeout = std::chrono::milliseconds(200);
  Start(o);
  std::vector<std::unique_ptr<RawClient>> tricklers;
  for (int i = 0; i < 3; ++i) {
    tricklers.push_back(std::make_unique<RawClient>(port_));
    tricklers.back()->Write(Post("Content-Length: 50\r\n", "x"));
  }
  for (auto& t : tricklers) {
    const std::string r = t->ReadUntilClosed();  // keeps sending nothing: cut at the deadline
    EXPECT_EQ(r.compare(0, 12, "HTTP/1.1 408"), 0) << r;
    EXPECT_NE(r.find("\"field\":\"body\""), std::string::npos) << r;
  }
  EXPECT_EQ(Refused(RefusalReason::kBodyTimeout), 3);
  EXPECT_EQ(answers_.requests.load(), 0);
}

TEST_F(IoServerBodyTest, OversizedAndAmbiguousBodiesAreRefusedOnTheLoop) {
  IoServerOptions o;
  o.max_body = 1000;
  Start(o);
  struct Case {
    std::string request;
    const char* status;
  };
  const std::vector<Case> cases = {
      {Post("Content-Length: 1001\r\n"), "HTTP/1.1 413"},
      {Post("Transfer-Encoding: chunked\r\n", "3e9\r\n"), "HTTP/1.1 413"},
      {Post("Content-Length: 3\r\nTransfer-Encoding: chunked\r\n", "abc"), "HTTP/1.1 400"},
      {Post("Transfer-Encoding: gzip\r\n", "abc"), "HTTP/1.1 400"},
  };
  for (const Case& k : cases) {
    RawClient c(port_);
    c.Write(k.request);
    const std::string r = c.ReadResponse();
    EXPECT_EQ(r.compare(0, 12, k.status), 0) << k.request << "\n" << r;
  }
  EXPECT_EQ(answers_.requests.load(), 0);
  EXPECT_EQ(Refused(RefusalReason::kBodyTooLarge), 2);
  EXPECT_EQ(Refused(RefusalReason::kBadRequest), 2);
}

// A client that sends its whole (oversized) body before it reads still gets its 413: the loop
// reads and drops the rest instead of resetting the connection under it.
TEST_F(IoServerBodyTest, AClientStillSendingARefusedBodyReadsTheAnswer) {
  IoServerOptions o;
  o.max_body = 1000;
  Start(o);
  RawClient c(port_);
  c.Write(Post("Content-Length: 4000000\r\n"));
  const std::string chunk(64 * 1024, 'z');
  for (int i = 0; i < 60; ++i) c.Write(chunk);  // blocks if nobody read: the loop drops it
  const std::string r = c.ReadResponse();
  EXPECT_EQ(r.compare(0, 12, "HTTP/1.1 413"), 0) << r.substr(0, 200);
  EXPECT_NE(r.find("\"code\":\"payload_too_large\""), std::string::npos) << r;
}

TEST_F(IoServerBodyTest, ChunkedPipelinedAndUnframedBodiesReachTheirHandlersWhole) {
  Start(IoServerOptions{});
  RawClient c(port_);
  c.Write(Post("Transfer-Encoding: chunked\r\n", "5\r\nhello\r\n"));
  c.Write("3\r\nabc\r\n0\r\n\r\n" + Post("Content-Length: 2\r\n", "xy") + Post(""));
  EXPECT_EQ(Answer(c.ReadResponse()), "got 8");
  EXPECT_EQ(Answer(c.ReadResponse()), "got 2");
  EXPECT_EQ(Answer(c.ReadResponse()), "got 0");  // no framing: no body, nothing waited for
  c.WriteGet("/after");
  EXPECT_EQ(Answer(c.ReadResponse()), "got 0");
}

TEST_F(IoServerBodyTest, TheLoopSendsContinueToAClientThatWaitsForIt) {
  Start(IoServerOptions{});
  RawClient c(port_);
  c.Write(Post("Expect: 100-continue\r\nContent-Length: 4\r\n"));
  const std::string interim = c.ReadResponse();
  EXPECT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
  c.Write("body");
  const std::string r = c.ReadResponse();
  EXPECT_EQ(r.compare(0, 12, "HTTP/1.1 200"), 0) << r;
  EXPECT_EQ(Answer(r), "got 4");
}

// The budget is for all connections together; one body that would take the loops past it is
// refused (here the budget is below one body, to see it without a race between clients), and
// what it held is given back.
TEST_F(IoServerBodyTest, ABodyBeyondTheBufferBudgetIs503) {
  IoServerOptions o;
  o.max_body = 1000;
  o.max_body_buffer = 500;
  Start(o);
  RawClient big(port_);
  big.Write(Post("Content-Length: 1000\r\n", std::string(900, 'a')));
  const std::string r = big.ReadUntilClosed();
  EXPECT_EQ(r.compare(0, 12, "HTTP/1.1 503"), 0) << r;
  EXPECT_EQ(Refused(RefusalReason::kBodyBufferFull), 1);
  for (int i = 0; i < 3; ++i) {
    RawClient small(port_);
    small.Write(Post("Content-Length: 300\r\n", std::string(300, 'b')));
    EXPECT_EQ(Answer(small.ReadResponse()), "got 300");
  }
}

}  // namespace
}  // namespace slipway::http
