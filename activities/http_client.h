// activities/http_client.h: the one outgoing-HTTP seam of activities/ (GitHub, Vercel, Anthropic).
//
// HttpClient sends one request and returns the response, whatever its status: mapping a status
// to a Status is http_errors.h's job. Send() fails only when no HTTP response arrived:
//   kUnavailable        network error (refused, reset, DNS, TLS handshake)
//   kDeadlineExceeded   the request's timeout_ms elapsed
//   kResourceExhausted  the response body exceeded the client's size cap
//   kInvalidArgument    a malformed URL or an unsupported scheme
//   kPermanent          the server's TLS certificate failed verification
// Redirects are not followed: a caller that wants the target reads `location` itself (so it can
// decide whether credentials travel to another host).
// Implementations are thread-safe: one client is shared by every activity. Error messages name
// the method, host and path only: never headers, query strings or bodies.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/base/status.h"

namespace slipway::activities {

// Ordered header list with case-insensitive lookup (HTTP field names are case-insensitive).
class HttpHeaders {
 public:
  void Add(std::string name, std::string value);
  // Replaces every field called `name` with one field.
  void Set(const std::string& name, std::string value);
  // First value of `name`, compared case-insensitively.
  std::optional<std::string> Get(const std::string& name) const;
  bool Has(const std::string& name) const { return Get(name).has_value(); }
  const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // absolute http:// or https:// URL
  HttpHeaders headers;
  std::string body;
  int64_t timeout_ms = 30'000;  // whole request: connect, send, wait, receive
  // > 0: read at most this many bytes of the body, drop the rest and set body_truncated (a
  // crawler reading untrusted pages). 0: the whole body, up to the client's own cap.
  int64_t max_body_bytes = 0;
  // Non-empty: a numeric IPv4/IPv6 address to connect to instead of resolving the URL's host
  // (the TLS name and Host stay the URL's), on a fresh connection that is not kept. Verify's
  // crawl pins external links to the address it checked (address_guard.h).
  std::string connect_address;
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;
  std::string body;
  bool body_truncated = false;  // the request's max_body_bytes cut the body short
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

// True when a and b compare equal ignoring ASCII case.
bool EqualsIgnoreCase(const std::string& a, const std::string& b);

}  // namespace slipway::activities
