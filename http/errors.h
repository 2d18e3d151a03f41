// http/errors.h: the one mapping from Status to an HTTP error response, and the JSON writer
// every handler uses.
//
// Error bodies are {"error": {"code", "message", "field"?}}. HTTP-only failures travel as a
// Status too, marked by their field (see the constructors below), so that WriteError stays the
// only place that decides statuses. Messages pass through RedactText; 5xx messages are
// generic and carry the request id instead of internals (the cause of a 500 goes to the
// server's log: ApiResponse::ReportError). Stateless; thread-safe.
#pragma once

#include <Poco/Net/HTTPServerResponse.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/base/status.h"

namespace slipway::http {

// Field markers of HTTP-only failures.
inline constexpr const char* kBodyField = "body";                 // kResourceExhausted -> 413
inline constexpr const char* kContentTypeField = "Content-Type";  // kInvalidArgument -> 415
inline constexpr const char* kMethodField = "method";             // kInvalidArgument -> 405

Status PayloadTooLarge(std::string message);
Status UnsupportedMediaType(std::string message);
Status MethodNotAllowed(std::string message);
// A cap on concurrent work was hit: 429 with Retry-After.
Status TooManyRequests(std::string message, int64_t retry_after_ms);
Status Unauthenticated(std::string message);
Status PermissionDenied(std::string message);

struct HttpError {
  int status;        // HTTP status
  const char* code;  // stable error code of the JSON body
};
HttpError ErrorFor(const Status& status);

// Writes the error response for a non-ok status. Requires: nothing sent yet.
void WriteError(Poco::Net::HTTPServerResponse& resp, const Status& status);
// Writes `body` as application/json with the given status. Requires: nothing sent yet.
void WriteJson(Poco::Net::HTTPServerResponse& resp, int status, const nlohmann::json& body);
// Writes already serialised JSON with the given status. Requires: nothing sent yet.
void WriteJsonText(Poco::Net::HTTPServerResponse& resp, int status, const std::string& text);
// Sets status and its standard reason phrase.
void SetStatus(Poco::Net::HTTPServerResponse& resp, int status);
// JSON text; invalid UTF-8 in stored data is replaced rather than thrown about.
std::string DumpJson(const nlohmann::json& j);

}  // namespace slipway::http
