// http/api_response.cc: ApiResponse (see api_response.h).
#include "http/api_response.h"

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
  } else if (outbox_->empty()) {
    outbox_->swap(out);
  } else {
    outbox_->append(out);
  }
}

}  // namespace slipway::http
