// activities/rest_util.h: small helpers shared by the REST clients (GitHub, Vercel, Anthropic).
//
// Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "activities/http_client.h"
#include "engine/base/status.h"

namespace slipway::activities {

std::string Base64Encode(const std::string& data);
// Ignores whitespace (GitHub wraps base64 content). Errors: kInvalidArgument.
Result<std::string> Base64Decode(const std::string& text);

// Percent-encodes everything but RFC 3986 unreserved characters (one path segment or value).
std::string UrlEncode(const std::string& text);
// Same, but keeps '/' (a repository file path).
std::string UrlEncodePath(const std::string& path);

// j as compact JSON text for a request body. Bytes that are not UTF-8 become U+FFFD instead of
// making dump() throw: callers send content that must arrive byte for byte as base64.
std::string JsonText(const nlohmann::json& j);

// Ok unless the path of `url` (between the authority and '?' or '#') has a "." or ".."
// segment, percent-encoded or not: such a path names another resource than the one the
// caller built (traversal). The REST clients check every URL with it before sending, so a bad
// ref or id from anywhere never leaves the process. Errors: kInvalidArgument (field "path").
Status CheckUrlPath(const std::string& url);

// The URL of the rel="next" page from a Link header (GitHub pagination:
// `<https://api.github.com/...&page=2>; rel="next", <...&page=5>; rel="last"`), or nullopt.
// Linear scan; a malformed header gives nullopt.
std::optional<std::string> NextPageUrl(const HttpHeaders& headers);

// "https://host:port" of an absolute URL, lower-cased ("" when it has no scheme): a next-page
// URL is followed, with credentials, only when it is on the API's own origin.
std::string UrlOrigin(const std::string& url);

// Parses a 2xx response body as JSON. A body that is not JSON is a remote fault: kUnavailable.
Result<nlohmann::json> ParseJsonBody(const HttpResponse& response, const std::string& what);

// Runs fn(json) -> Result<T>, turning a nlohmann exception (missing field, wrong type) into
// kUnavailable: the remote answered with a shape we do not understand.
template <typename T, typename Fn>
Result<T> Decode(const nlohmann::json& j, const std::string& what, Fn fn) {
  try {
    return fn(j);
  } catch (const nlohmann::json::exception& e) {
    return Unavailable(what + ": unexpected response shape: " + e.what());
  }
}

}  // namespace slipway::activities
