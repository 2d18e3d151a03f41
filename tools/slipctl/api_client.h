// tools/slipctl/api_client.h: ApiClient, slipctl's side of the Slipway HTTP API (see
// docs/openapi.json): one JSON request, one reply, errors as Status.
//
// The bearer token goes into the Authorization header and nowhere else: no message, error or
// log line of this client carries it. A reply with an error status becomes a Status built from
// the API's {"error": {"code","message","field"}} body (code by its wire name, field kept);
// Retry-After becomes retry_after_ms. Transport failures are kUnavailable or
// kDeadlineExceeded (from the HttpClient). Not thread-safe; borrows the HttpClient.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "activities/http_client.h"
#include "engine/base/status.h"

namespace slipway::slipctl {

struct ApiConfig {
  std::string url = "http://127.0.0.1:8080";  // scheme://host:port, no trailing slash needed
  std::string token;
  int64_t timeout_ms = 30'000;  // per request; long polls add their wait to it
};

struct ApiReply {
  int status = 0;       // 2xx or 304
  nlohmann::json body;  // null for 304 or an empty body
  std::string etag;
};

class ApiClient {
 public:
  ApiClient(activities::HttpClient& http, ApiConfig config);

  // `path` starts with "/" and may carry a query (values already encoded: see QueryEncode).
  Result<ApiReply> Get(const std::string& path,
                       const std::map<std::string, std::string>& headers = {},
                       int64_t extra_timeout_ms = 0);
  Result<ApiReply> Post(const std::string& path, const nlohmann::json& body);

 private:
  Result<ApiReply> Send(activities::HttpRequest req);

  activities::HttpClient& http_;
  ApiConfig config_;
};

// Checks and normalises a base URL: http:// or https://, no query, no trailing slash.
Result<std::string> NormaliseBaseUrl(const std::string& url);
// Percent-encodes everything but unreserved characters (RFC 3986), for path segments and
// query values.
std::string UrlEncode(const std::string& s);
// The Status for an error reply (status >= 400) with the given body text.
Status ApiError(int http_status, const std::string& body, const std::string& retry_after);

// Calls `fn` with every event of a workflow's history, oldest first, following next_after
// page by page (page_size 1..1000). Stops at the first error of the API or of `fn`.
Status ForEachEvent(ApiClient& api, const std::string& id, int page_size,
                    const std::function<Status(const nlohmann::json& event)>& fn);
// Calls `fn` with every workflow summary of GET /v1/workflows?<query> (newest first), then
// follows next_cursor while `all`; `more` (may be null) is set to whether a next page exists.
Status ForEachWorkflow(ApiClient& api, const std::string& query, bool all,
                       const std::function<Status(const nlohmann::json& workflow)>& fn,
                       bool* more = nullptr);

}  // namespace slipway::slipctl
