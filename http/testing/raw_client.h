// http/testing/raw_client.h: a blocking HTTP/1.1 client on a raw loopback TCP socket, for the
// server's connection tests: what it sends is exactly what the test wrote (pipelining, half
// heads, resets), and it reads whole Content-Length responses. Every receive gives up after
// 20 s: a guard against a hang, not a timing assertion. Header-only, tests only.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace slipway::http::testing {

class RawClient {
 public:
  // `from`: the loopback source address to connect from (e.g. "127.0.0.2": another client
  // address as the server sees it); null: the system's choice (127.0.0.1).
  explicit RawClient(uint16_t port, const char* from = nullptr)
      : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    timeval tv{20, 0};  // a guard against a hang, not a timing assertion
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (from != nullptr) {
      sockaddr_in local{};
      local.sin_family = AF_INET;
      inet_pton(AF_INET, from, &local.sin_addr);
      if (bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0) return;
    }
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
  // Sends a GET with `headers` (lines ending in CRLF) and nothing the server must read.
  void WriteGet(const std::string& target, const std::string& headers = "") {
    Write("GET " + target + " HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n");
  }
  // Waits until the first bytes of an answer arrive, without reading them.
  bool AnswerStarted() {
    char c;
    return recv(fd_, &c, 1, MSG_PEEK) == 1;
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
  // Reads until the server closes or resets the connection; what it sent before that.
  // Stops (returning what came) after the 20 s guard.
  std::string ReadUntilClosed() {
    while (Fill()) {
    }
    std::string all;
    all.swap(buf_);
    return all;
  }
  // Sends what it can without waiting: false once the connection is closed or reset.
  bool TryWrite(const std::string& bytes) {
    return send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT) >= 0 ||
           errno == EAGAIN;
  }
  int fd() const { return fd_; }

 private:
  bool Fill() {
    char chunk[65536];
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

}  // namespace slipway::http::testing
