// http/buffered_socket.cc: BufferedSocketImpl (see buffered_socket.h).
#include "http/buffered_socket.h"

#include <errno.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

namespace slipway::http {

BufferedSocketImpl::Read BufferedSocketImpl::ReadAvailable(size_t max) {
  if (consumed_ == inbox_.size()) {
    inbox_.clear();
    consumed_ = 0;
  } else if (consumed_ > 0) {  // what earlier requests of a pipeline took: give it back
    inbox_.erase(0, consumed_);
    consumed_ = 0;
  }
  const size_t held = inbox_.size() - consumed_;
  if (held >= max) return Read::kNothing;
  char chunk[16384];
  const size_t want = std::min(sizeof(chunk), max - held);
  for (;;) {
    const ssize_t n = ::recv(sockfd(), chunk, want, MSG_DONTWAIT);
    if (n > 0) {
      inbox_.append(chunk, static_cast<size_t>(n));
      return Read::kData;
    }
    if (n == 0) return Read::kClosed;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return Read::kNothing;
    return Read::kClosed;
  }
}

std::string_view BufferedSocketImpl::inbox() const {
  return std::string_view(inbox_).substr(consumed_);
}

void BufferedSocketImpl::Fence(size_t n) {
  fenced_ = true;
  fence_end_ = std::min(inbox_.size(), consumed_ + n);
}

void BufferedSocketImpl::EndFence() {
  if (fenced_) consumed_ = std::max(consumed_, fence_end_);
  fenced_ = false;
}

int BufferedSocketImpl::receiveBytes(void* buffer, int length, int flags) {
  if (fenced_) {
    const size_t n = std::min(fence_end_ - consumed_, static_cast<size_t>(std::max(length, 0)));
    std::memcpy(buffer, inbox_.data() + consumed_, n);
    if ((flags & MSG_PEEK) == 0) consumed_ += n;
    return static_cast<int>(n);
  }
  const size_t held = inbox_.size() - consumed_;
  if (held == 0 || length <= 0) return StreamSocketImpl::receiveBytes(buffer, length, flags);
  const size_t n = std::min(held, static_cast<size_t>(length));
  std::memcpy(buffer, inbox_.data() + consumed_, n);
  if ((flags & MSG_PEEK) == 0) consumed_ += n;
  return static_cast<int>(n);
}

Poco::Net::SocketAddress BufferedSocketImpl::address() {
  if (!local_) local_ = StreamSocketImpl::address();
  return *local_;
}

Poco::Net::SocketAddress BufferedSocketImpl::peerAddress() {
  if (!peer_) peer_ = StreamSocketImpl::peerAddress();
  return *peer_;
}

}  // namespace slipway::http
