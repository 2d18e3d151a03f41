// activities/http_errors.h: turns an HTTP response into the Status our callers act on.
//
//   2xx                      ok
//   408, 429, 5xx (incl 529) kUnavailable, retry_after_ms from the headers when present (a
//                            Vercel 429 without Retry-After: its body's error.limit reset)
//   403 that is a rate limit kUnavailable (GitHub: x-ratelimit-remaining: 0, or a secondary limit)
//   409                      kConflict (stale version: reload, then retry)
//   400, 422                 kInvalidArgument (field = the remote's field name when it gives one)
//   other 4xx (401/403/404)  kPermanent
// An `x-should-retry: true|false` header (Anthropic) overrides the status rule.
// Messages carry `what`, the status and at most the remote's own short message (`message` or
// `error.message`), passed through RedactText and truncated: never headers or raw bodies.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "activities/http_client.h"
#include "engine/base/clock.h"
#include "engine/base/status.h"

namespace slipway::activities {

Status StatusFromResponse(const HttpResponse& response, const std::string& what);
// Same, reading "now" (for epoch and date headers) from now_ms.
Status StatusFromResponse(const HttpResponse& response, const std::string& what, TimeMs now_ms);

// How long the remote side asks us to wait, from the first of: retry-after-ms, Retry-After
// (seconds or HTTP date), x-ratelimit-reset (epoch seconds, GitHub, Vercel) only when
// x-ratelimit-remaining is 0, anthropic-ratelimit-*-reset (RFC 3339) of a bucket whose
// remaining is 0 (the latest such). A reset whose window is not spent is no wait: GitHub sends
// it on every answer, a 5xx included. Never negative. The caller caps it (RetryPolicy).
std::optional<int64_t> RetryAfterMs(const HttpHeaders& headers, TimeMs now_ms);

// The remote's short error message from a JSON body (`message`, `error.message` or a string
// `error`), redacted and cut to 200 characters; empty when there is none.
std::string RemoteMessage(const std::string& body);

// Parsers exposed for tests. Both give milliseconds since the epoch.
std::optional<TimeMs> ParseHttpDate(const std::string& text);  // "Wed, 21 Oct 2015 07:28:00 GMT"
std::optional<TimeMs> ParseRfc3339(const std::string& text);    // "2025-08-21T12:40:59.5Z"

}  // namespace slipway::activities
