// http/connection_test.cc: the server's connections over raw TCP sockets (connection.h,
// io_server.h): keep-alive with pipelined requests, "Connection: close", a malformed request,
// a stop that ends idle keep-alive connections instead of waiting for their timeout, the
// keep-alive timeout, and that neither a slow client nor a long poll holds up other clients
// of the same event loop.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <chrono>
#include <string>
#include <thread>

#include "http/http_test_fixture.h"

namespace slipway::http::testing {
namespace {

class RawClient {
 public:
  explicit RawClient(uint16_t port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    timeval tv{20, 0};  // a guard against a hang, not a timing assertion
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~RawClient() {
    if (fd_ >= 0) close(fd_);
  }
  // Closes with a reset (SO_LINGER 0), as a client that crashed would.
  void Reset() {
    linger l{1, 0};
    setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
    close(fd_);
    fd_ = -1;
  }
  // Sends a GET with the ops token (and nothing else the server must read).
  void WriteGet(const std::string& target) {
    Write("GET " + target + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + kOps +
          "\r\n\r\n");
  }
  bool connected() const { return connected_; }
  void Write(const std::string& bytes) {
    ASSERT_EQ(send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
  }
  // The next whole response (head and Content-Length body); "" at EOF or on a timeout.
  std::string ReadResponse() {
    for (;;) {
      const size_t head = buf_.find("\r\n\r\n");
      if (head != std::string::npos) {
        size_t length = 0;
        const size_t cl = buf_.find("Content-Length: ");
        if (cl != std::string::npos && cl < head)
          length = std::strtoul(&buf_[cl + 16], nullptr, 10);
        if (buf_.size() >= head + 4 + length) {
          std::string r = buf_.substr(0, head + 4 + length);
          buf_.erase(0, r.size());
          return r;
        }
      }
      if (!Fill()) return "";
    }
  }
  // True when the server closed the connection (and sent nothing more).
  bool ClosedByServer() { return buf_.empty() && !Fill() && eof_; }

 private:
  bool Fill() {
    char chunk[4096];
    ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) {
      eof_ = n == 0;
      return false;
    }
    buf_.append(chunk, static_cast<size_t>(n));
    return true;
  }
  int fd_;
  bool connected_ = false;
  bool eof_ = false;
  std::string buf_;
};

std::string Lower(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

const char* kHealth = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";

class ConnectionTest : public HttpFixture {};

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
  HttpApiOptions o;
  o.port = 0;
  o.io_threads = 1;
  StartApi(o);
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
  HttpApiOptions o;
  o.port = 0;
  o.io_threads = 1;
  o.wait_slice = std::chrono::milliseconds(50);
  StartApi(o);
  const std::string id = StartOver("seven");
  ASSERT_FALSE(id.empty());
  RawClient waiting(api_->port());
  ASSERT_TRUE(waiting.connected());
  waiting.WriteGet("/v1/workflows/" + id + "?wait=60");
  const auto guard = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (api_->active_waiters() == 0 && std::chrono::steady_clock::now() < guard) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ASSERT_EQ(api_->active_waiters(), 1);
  RawClient poller(api_->port());
  ASSERT_TRUE(poller.connected());
  for (int i = 0; i < 3; ++i) {
    poller.WriteGet("/v1/workflows/" + id);
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
  HttpApiOptions o;
  o.port = 0;
  o.io_threads = 1;
  o.wait_slice = std::chrono::milliseconds(20);
  StartApi(o);
  const std::string id = StartOver("seven");
  ASSERT_FALSE(id.empty());
  {
    RawClient gone(api_->port());
    ASSERT_TRUE(gone.connected());
    gone.WriteGet("/v1/workflows/" + id + "?wait=1");
    const auto guard = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (api_->active_waiters() == 0 && std::chrono::steady_clock::now() < guard) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ASSERT_EQ(api_->active_waiters(), 1);
    gone.Reset();
  }
  RawClient next(api_->port());
  ASSERT_TRUE(next.connected());
  for (int i = 0; i < 3; ++i) {
    next.WriteGet("/v1/workflows/" + id);
    EXPECT_EQ(next.ReadResponse().compare(0, 12, "HTTP/1.1 200"), 0);
  }
  // The long poll answers its dead connection after its second and gives the thread back.
  const auto guard = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (api_->active_waiters() > 0 && std::chrono::steady_clock::now() < guard) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(api_->active_waiters(), 0);
  next.WriteGet("/v1/workflows/" + id);
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
