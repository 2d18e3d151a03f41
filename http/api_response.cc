// http/api_response.cc: ApiResponse (see api_response.h).
#include "http/api_response.h"

#include <Poco/Net/NetException.h>
#include <errno.h>
#include <sys/socket.h>

#include <string>

namespace slipway::http {

void ApiResponse::sendBuffer(const void* buffer, std::size_t length) {
  setContentLength64(static_cast<Poco::Int64>(length));
  setChunkedTransferEncoding(false);
  std::string out;
  out.reserve(512 + length);
  out += getVersion();
  out += ' ';
  out += std::to_string(static_cast<int>(getStatus()));
  out += ' ';
  out += getReason();
  out += "\r\n";
  for (const auto& [name, value] : *this) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  out += "\r\n";
  if (!head_ && length > 0) out.append(static_cast<const char*>(buffer), length);
  sent_ = true;
  if (outbox_ == nullptr) {
    session_.socket().sendBytes(out.data(), static_cast<int>(out.size()));
    return;
  }
  const int fd = session_.socket().impl()->sockfd();
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::send(fd, out.data() + done, out.size() - done, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      done += static_cast<size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      break;
    } else {
      throw Poco::Net::NetException("send failed");
    }
  }
  outbox_->append(out, done, std::string::npos);
}

}  // namespace slipway::http
