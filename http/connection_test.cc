// http/connection_test.cc: the server's connections over raw TCP sockets (connection.h,
// io_server.h): keep-alive with pipelined requests, "Connection: close", a malformed request,
// a stop that ends idle keep-alive connections instead of waiting for their timeout, the
// keep-alive timeout, and that neither a slow client nor a long poll holds up other clients
// of the same event loop.

#include <cctype>
#include <chrono>
#include <string>
#include <thread>

#include "http/http_test_fixture.h"
#include "http/testing/raw_client.h"

namespace slipway::http::testing {
namespace {

std::string Lower(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

const char* kHealth = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
const std::string kOpsAuth = std::string("Authorization: Bearer ") + kOps + "\r\n";

class ConnectionTest : public HttpFixture {
 protected:
  // Starts the API with one event loop, so that every connection shares it.
  void StartOneLoop(std::chrono::milliseconds wait_slice = std::chrono::milliseconds(500)) {
    HttpApiOptions o;
    o.port = 0;
    o.io_threads = 1;
    o.wait_slice = wait_slice;
    StartApi(o);
  }
  // Polls until `n` requests wait in a long poll; the guard only stops a hang (no timing
  // assertion).
  void AwaitWaiters(int n) {
    const auto guard = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (api_->active_waiters() != n && std::chrono::steady_clock::now() < guard) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
};

TEST_F(ConnectionTest, KeepAliveServesPipelinedRequestsOnOneConnection) {
  RawClient c(api_->port());
  ASSERT_TRUE(c.connected());
  c.Write(std::string(kHealth) + kHealth + kHealth);
  for (int i = 0; i < 3; ++i) {
    std::string r = c.ReadResponse();
    EXPECT_EQ(r.compare(0, 12, "HTTP/1.1 200"), 0) << r;
    EXPECT_EQ(Lower(r).find("connection: close"), std::string::npos) << r;
    EXPECT_NE(r.find("Date: "), std::string::npos) << r;
  }
  c.Write(kHealth);  // still open
  EXPECT_EQ(c.ReadResponse().compare(0, 12, "HTTP/1.1 200"), 0);
}

TEST_F(ConnectionTest, ConnectionCloseIsHonoured) {
  RawClient c(api_->port());
  ASSERT_TRUE(c.connected());
  c.Write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::string r = c.ReadResponse();
  EXPECT_EQ(r.compare(0, 12, "HTTP/1.1 200"), 0) << r;
  EXPECT_NE(Lower(r).find("connection: close"), std::string::npos) << r;
  EXPECT_TRUE(c.ClosedByServer());
}

TEST_F(ConnectionTest, MalformedRequestGets400AndTheConnectionEnds) {
  RawClient c(api_->port());
  ASSERT_TRUE(c.connected());
  c.Write("NONSENSE\r\n\r\n");
  std::string r = c.ReadResponse();
  EXPECT_EQ(r.compare(0, 12, "HTTP/1.1 400"), 0) << r;
  EXPECT_TRUE(c.ClosedByServer());
}

TEST_F(ConnectionTest, StopEndsIdleKeepAliveConnections) {
  RawClient idle(api_->port());
  ASSERT_TRUE(idle.connected());
  idle.Write(kHealth);
  ASSERT_EQ(idle.ReadResponse().compare(0, 12, "HTTP/1.1 200"), 0);
  api_->Stop();  // would wait for the 5 s keep-alive timeout if idle connections were left be
  EXPECT_TRUE(idle.ClosedByServer());
  RawClient late(api_->port());
  EXPECT_FALSE(late.connected());
}

// With one event loop, a client that sent half a request head must not stop the loop from
// serving others; its request is answered once the rest arrives.
TEST_F(ConnectionTest, AHalfSentRequestDoesNotHoldUpOtherClients) {
  StartOneLoop();
  RawClient slow(api_->port());
  ASSERT_TRUE(slow.connected());
  slow.Write("GET /healthz HTTP/1.1\r\nHo");
  RawClient quick(api_->port());
  ASSERT_TRUE(quick.connected());
  quick.Write(kHealth);
  EXPECT_EQ(quick.ReadResponse().compare(0, 12, "HTTP/1.1 200"), 0);
  slow.Write("st: x\r\n\r\n");
  EXPECT_EQ(slow.ReadResponse().compare(0, 12, "HTTP/1.1 200"), 0);
}

// A long poll waits on a pool thread: status polls on the same single loop are answered
// meanwhile.
TEST_F(ConnectionTest, ALongPollDoesNotHoldUpStatusPolls) {
  StartOneLoop(std::chrono::milliseconds(50));
  const std::string id = StartOver("seven");
  ASSERT_FALSE(id.empty());
  RawClient waiting(api_->port());
  ASSERT_TRUE(waiting.connected());
  waiting.WriteGet("/v1/workflows/" + id + "?wait=60", kOpsAuth);
  AwaitWaiters(1);
  ASSERT_EQ(api_->active_waiters(), 1);
  RawClient poller(api_->port());
  ASSERT_TRUE(poller.connected());
  for (int i = 0; i < 3; ++i) {
    poller.WriteGet("/v1/workflows/" + id, kOpsAuth);
    std::string r = poller.ReadResponse();
    EXPECT_EQ(r.compare(0, 12, "HTTP/1.1 200"), 0) << r;
    EXPECT_NE(r.find(id), std::string::npos) << r;
  }
  EXPECT_EQ(api_->active_waiters(), 1);  // still waiting: nothing changed
  api_->Stop();  // ends the long poll early, with the unchanged workflow
  EXPECT_EQ(waiting.ReadResponse().compare(0, 12, "HTTP/1.1 200"), 0);
}

// While a pool thread holds a connection its loop must not touch it, even when the client
// resets it (epoll reports a hang-up whatever it was asked for): TSan checks the first, the
// next requests the second.
TEST_F(ConnectionTest, AClientThatResetsDuringALongPollLeavesTheLoopServing) {
  StartOneLoop(std::chrono::milliseconds(20));
  const std::string id = StartOver("seven");
  ASSERT_FALSE(id.empty());
  {
    RawClient gone(api_->port());
    ASSERT_TRUE(gone.connected());
    gone.WriteGet("/v1/workflows/" + id + "?wait=1", kOpsAuth);
    AwaitWaiters(1);
    ASSERT_EQ(api_->active_waiters(), 1);
    gone.Reset();
  }
  RawClient next(api_->port());
  ASSERT_TRUE(next.connected());
  for (int i = 0; i < 3; ++i) {
    next.WriteGet("/v1/workflows/" + id, kOpsAuth);
    EXPECT_EQ(next.ReadResponse().compare(0, 12, "HTTP/1.1 200"), 0);
  }
  // The long poll answers its dead connection after its second and gives the thread back.
  AwaitWaiters(0);
  EXPECT_EQ(api_->active_waiters(), 0);
  next.WriteGet("/v1/workflows/" + id, kOpsAuth);
  EXPECT_EQ(next.ReadResponse().compare(0, 12, "HTTP/1.1 200"), 0);
}

TEST_F(ConnectionTest, AnIdleConnectionIsClosedAfterTheKeepAliveTimeout) {
  HttpApiOptions o;
  o.port = 0;
  o.keep_alive_timeout = std::chrono::milliseconds(100);
  StartApi(o);
  RawClient c(api_->port());
  ASSERT_TRUE(c.connected());
  c.Write(kHealth);
  ASSERT_EQ(c.ReadResponse().compare(0, 12, "HTTP/1.1 200"), 0);
  EXPECT_TRUE(c.ClosedByServer());  // the client's 20 s receive timeout guards a hang
}

}  // namespace
}  // namespace slipway::http::testing
