// http/io_server_test.cc: IoServer on its own, with a handler factory that answers any size:
// a client that does not read a big answer served on the event loop holds up only its own
// connection (the rest of the answer waits in the outbox), and gets every byte once it reads.
#include "http/io_server.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace slipway::http {
namespace {

constexpr size_t kBig = 16 << 20;  // more than loopback TCP buffers hold (a few MiB)

// GET /v1/workflows/big answers kBig bytes, anything else "ok"; both whole (sendBuffer).
class SizedAnswers final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new Handler;
  }

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

int Connect(uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{20, 0};  // a guard against a hang, not a timing assertion
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

void Send(int fd, const std::string& bytes) {
  ASSERT_EQ(send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL), static_cast<ssize_t>(bytes.size()));
}

// Reads one whole response (head and Content-Length body); "" on EOF or the guard timeout.
std::string ReadResponse(int fd) {
  std::string in;
  char chunk[65536];
  for (;;) {
    const size_t head = in.find("\r\n\r\n");
    if (head != std::string::npos) {
      size_t length = 0;
      const size_t cl = in.find("Content-Length: ");
      if (cl != std::string::npos && cl < head) length = std::strtoul(&in[cl + 16], nullptr, 10);
      if (in.size() >= head + 4 + length) return in.substr(0, head + 4 + length);
    }
    const ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
    if (n <= 0) return "";
    in.append(chunk, static_cast<size_t>(n));
  }
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

  const int stuck = Connect(port);
  ASSERT_GE(stuck, 0);
  Send(stuck, "GET /v1/workflows/big HTTP/1.1\r\nHost: x\r\n\r\n");  // read later
  char first;
  ASSERT_EQ(recv(stuck, &first, 1, MSG_PEEK), 1);  // the loop is answering it

  const int quick = Connect(port);
  ASSERT_GE(quick, 0);
  for (int i = 0; i < 3; ++i) {
    Send(quick, "GET /v1/workflows/small HTTP/1.1\r\nHost: x\r\n\r\n");
    const std::string r = ReadResponse(quick);
    EXPECT_EQ(r.compare(0, 12, "HTTP/1.1 200"), 0) << r.substr(0, 100);
    EXPECT_EQ(r.substr(r.size() - 2), "ok");
  }

  const std::string big = ReadResponse(stuck);
  EXPECT_EQ(big.compare(0, 12, "HTTP/1.1 200"), 0);
  EXPECT_EQ(big.size() - big.find("\r\n\r\n") - 4, kBig);
  Send(stuck, "GET /v1/workflows/small HTTP/1.1\r\nHost: x\r\n\r\n");  // and it carries on
  EXPECT_EQ(ReadResponse(stuck).compare(0, 12, "HTTP/1.1 200"), 0);
  close(stuck);
  close(quick);
  server.Stop();
}

}  // namespace
}  // namespace slipway::http
