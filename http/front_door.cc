// http/front_door.cc: ConnectionLimiter and the loops' canned answers (see front_door.h).
#include "http/front_door.h"

#include <netinet/in.h>

#include <cstring>

namespace slipway::http {

namespace {

std::string Response(const char* status, const std::string& code, const std::string& message,
                     const char* field, const char* extra_headers) {
  std::string error = "{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message + "\"";
  if (field != nullptr) error += std::string(",\"field\":\"") + field + "\"";
  error += "}}";
  return std::string("HTTP/1.1 ") + status +
         "\r\nContent-Type: application/json\r\nConnection: close\r\n" + extra_headers +
         "Content-Length: " + std::to_string(error.size()) + "\r\n\r\n" + error;
}

// Reads (and drops) what the client sent already, up to a bound.
void Drain(int fd) {
  char buf[16384];
  for (int i = 0; i < 64; ++i) {
    const ssize_t n = ::recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (n <= 0) return;
  }
}

}  // namespace

AdmissionTicket& AdmissionTicket::operator=(AdmissionTicket&& o) noexcept {
  if (this != &o) {
    Release();
    limiter_ = o.limiter_;
    key_ = std::move(o.key_);
    o.limiter_ = nullptr;
  }
  return *this;
}

void AdmissionTicket::Release() {
  if (limiter_ != nullptr) limiter_->Release(key_);
  limiter_ = nullptr;
}

std::string ConnectionLimiter::AddressKey(const sockaddr_storage& peer) {
  if (peer.ss_family == AF_INET) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(peer);
    return std::string("4") + std::string(reinterpret_cast<const char*>(&a.sin_addr), 4);
  }
  if (peer.ss_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(peer);
    const auto* b = reinterpret_cast<const char*>(&a.sin6_addr);
    if (IN6_IS_ADDR_V4MAPPED(&a.sin6_addr)) return std::string("4") + std::string(b + 12, 4);
    return std::string("6") + std::string(b, 8);  // the /64
  }
  return "other";  // e.g. a Unix socket: one bucket
}

ConnectionLimiter::Admit ConnectionLimiter::TryAdmit(const std::string& key,
                                                     AdmissionTicket& ticket) {
  std::lock_guard<std::mutex> lock(mu_);
  if (max_total_ > 0 && open_.load() >= max_total_) return Admit::kTotalCap;
  int& mine = per_address_[key];
  if (max_per_address_ > 0 && mine >= max_per_address_) return Admit::kAddressCap;
  ++mine;
  ++open_;
  ticket = AdmissionTicket(this, key);
  return Admit::kOk;
}

void ConnectionLimiter::Release(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = per_address_.find(key);
  if (it != per_address_.end() && --it->second <= 0) per_address_.erase(it);
  --open_;
}

namespace {

// The answer to send; the ones that name no limit are built once.
std::string RefusalText(Refusal which, size_t limit) {
  static const std::string kBusy = Response("503 Service Unavailable", "unavailable",
                                            "the server is busy, retry", nullptr,
                                            "Retry-After: 1\r\n");
  static const std::string kHeadTimeout =
      Response("408 Request Timeout", "request_timeout",
               "the request head did not arrive in time", "head", "");
  static const std::string kBodyTimeout =
      Response("408 Request Timeout", "request_timeout",
               "the request body did not arrive in time", "body", "");
  static const std::string kConnections = Response("503 Service Unavailable", "unavailable",
                                                   "too many connections, retry", nullptr,
                                                   "Retry-After: 1\r\n");
  static const std::string kBadFraming =
      Response("400 Bad Request", "invalid_argument",
               "the body's framing (Content-Length, Transfer-Encoding) is malformed or "
               "ambiguous", "head", "");
  switch (which) {
    case Refusal::kPoolFull:
    case Refusal::kBodiesFull:
      return kBusy;
    case Refusal::kHeadTimeout:
      return kHeadTimeout;
    case Refusal::kBodyTimeout:
      return kBodyTimeout;
    case Refusal::kTooManyConnections:
      return kConnections;
    case Refusal::kBadFraming:
      return kBadFraming;
    case Refusal::kHeadTooLarge:
      return Response("431 Request Header Fields Too Large", "request_head_too_large",
                      "the request head is longer than " + std::to_string(limit) + " bytes",
                      "head", "");
    case Refusal::kBodyTooLarge:
      return Response("413 Payload Too Large", "payload_too_large",
                      "body exceeds " + std::to_string(limit) + " bytes", "body", "");
  }
  return kBusy;
}

}  // namespace

void SendRefusal(int fd, Refusal which, size_t limit) {
  const std::string text = RefusalText(which, limit);
  (void)::send(fd, text.data(), text.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  Drain(fd);
}

}  // namespace slipway::http
