// http/buffered_socket.h: the socket of one server connection, for Poco's HTTP session.
//
// The event loop (io_server.h) reads what a client sent without blocking into this socket's
// inbox and looks at it (is a whole request head here? which route?) before any thread
// parses it; Poco's session then receives from the inbox first and from the socket only when
// it is empty (a request body still on its way, on a pool thread). The local and peer
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
  // Puts bytes Poco took but did not use (read ahead into its session buffer) back in front
  // of the inbox, so that the loop sees the next request whole before anything parses it.
  void Unread(std::string_view bytes);

  using Poco::Net::StreamSocketImpl::receiveBytes;
  int receiveBytes(void* buffer, int length, int flags = 0) override;
  Poco::Net::SocketAddress address() override;
  Poco::Net::SocketAddress peerAddress() override;

 private:
  std::string inbox_;
  size_t consumed_ = 0;  // inbox_[0, consumed_) was handed to Poco already
  std::optional<Poco::Net::SocketAddress> local_, peer_;
};

}  // namespace slipway::http
