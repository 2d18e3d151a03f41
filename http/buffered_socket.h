// http/buffered_socket.h: the socket of one server connection, for Poco's HTTP session.
//
// The event loop (io_server.h) reads what a client sent without blocking into this socket's
// inbox and looks at it (is a whole request head here? which route?) before any thread
// parses it, and hands a request on only once all of it (head and body) is there. While one
// is served, the socket is fenced: Poco's session receives that request's bytes from the
// inbox and then an end of stream, never the socket itself, so that a thread serving a
// request can never wait for a client's bytes, nor read into the next request. The local and peer
// addresses are looked up once per connection: Poco asks for both on every request, two
// system calls each time otherwise. Internal to http/.
//
// Thread-safety: one thread at a time (the loop, or the pool thread serving the connection).
#pragma once

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocketImpl.h>

#include <optional>
#include <string>
#include <string_view>

namespace slipway::http {

class BufferedSocketImpl final : public Poco::Net::StreamSocketImpl {
 public:
  // Takes over an accepted, connected, blocking socket descriptor.
  explicit BufferedSocketImpl(poco_socket_t fd) : Poco::Net::StreamSocketImpl(fd) {}

  enum class Read { kData, kNothing, kClosed };
  // Appends what has arrived (at most `max` bytes in all) to the inbox without waiting.
  // kClosed: the peer closed or the connection failed.
  Read ReadAvailable(size_t max);
  // Bytes received and not yet handed to Poco.
  std::string_view inbox() const;
  // The next `n` inbox bytes are one whole request: receiveBytes gives those and then 0 (end
  // of stream). Requires: n <= inbox().size().
  void Fence(size_t n);
  // Drops what is left of the fenced request (a body its handler did not read) and lifts
  // the fence.
  void EndFence();

  using Poco::Net::StreamSocketImpl::receiveBytes;
  int receiveBytes(void* buffer, int length, int flags = 0) override;
  Poco::Net::SocketAddress address() override;
  Poco::Net::SocketAddress peerAddress() override;

 private:
  std::string inbox_;
  size_t consumed_ = 0;  // inbox_[0, consumed_) was handed to Poco already
  bool fenced_ = false;
  size_t fence_end_ = 0;  // while fenced_: inbox_[consumed_, fence_end_) is the request
  std::optional<Poco::Net::SocketAddress> local_, peer_;
};

}  // namespace slipway::http
