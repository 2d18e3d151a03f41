// activities/curl_http_client.h: HttpClient over libcurl.
//
// Owns a pool of curl easy handles. A handle goes back to the pool after each request, and
// curl_easy_reset keeps its live connections, so sequential requests to one host reuse the TCP
// (and TLS) connection. Thread-safe: concurrent Send() calls each take their own handle.
// TLS peer and host verification are always on. Redirects are not followed.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "activities/http_client.h"

namespace slipway::activities {

struct CurlHttpClientOptions {
  int64_t max_response_bytes = 8 * 1024 * 1024;  // larger bodies give kResourceExhausted
  int64_t connect_timeout_ms = 5'000;            // capped by each request's timeout_ms
  std::string user_agent = "slipway/1";          // sent unless the request sets its own
  std::string ca_file;                           // empty: the system CA store
  size_t max_idle_handles = 16;                  // pooled handles kept between requests
};

class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(CurlHttpClientOptions options = {});
  ~CurlHttpClient() override;
  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;

  Result<HttpResponse> Send(const HttpRequest& request) override;
  // Closes the pooled handles and their idle connections (requests in flight are unaffected).
  void CloseIdleConnections();

 private:
  void* TakeHandle();
  void ReturnHandle(void* handle);

  const CurlHttpClientOptions options_;
  std::mutex mu_;
  std::vector<void*> idle_;  // CURL* handles; void* keeps curl.h out of this header
};

}  // namespace slipway::activities
