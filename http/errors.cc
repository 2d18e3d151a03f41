// http/errors.cc: Status -> HTTP status and error body. The only place that maps codes.
#include "http/errors.h"

#include <Poco/Net/HTTPResponse.h>

#include "engine/base/redact.h"
#include "http/api_response.h"

namespace slipway::http {

using nlohmann::json;
using Poco::Net::HTTPResponse;

Status PayloadTooLarge(std::string message) {
  return {Code::kResourceExhausted, std::move(message), kBodyField};
}
Status UnsupportedMediaType(std::string message) {
  return {Code::kInvalidArgument, std::move(message), kContentTypeField};
}
Status MethodNotAllowed(std::string message) {
  return {Code::kInvalidArgument, std::move(message), kMethodField};
}
Status TooManyRequests(std::string message, int64_t retry_after_ms) {
  Status s(Code::kResourceExhausted, std::move(message));
  s.WithRetryAfter(retry_after_ms);
  return s;
}
Status Unauthenticated(std::string message) { return {Code::kUnauthenticated, std::move(message)}; }
Status PermissionDenied(std::string message) {
  return {Code::kPermissionDenied, std::move(message)};
}

HttpError ErrorFor(const Status& s) {
  switch (s.code()) {
    case Code::kInvalidArgument:
      if (s.field() == kContentTypeField) return {415, "unsupported_media_type"};
      if (s.field() == kMethodField) return {405, "method_not_allowed"};
      return {400, "invalid_argument"};
    case Code::kUnauthenticated:
      return {401, "unauthenticated"};
    case Code::kPermissionDenied:
      return {403, "permission_denied"};
    case Code::kNotFound:
      return {404, "not_found"};
    // A client cannot tell "version moved" from "wrong state" usefully: both are 409.
    case Code::kAlreadyExists:
    case Code::kConflict:
    case Code::kFailedPrecondition:
    case Code::kCancelled:
      return {409, "conflict"};
    case Code::kResourceExhausted:
      if (s.field() == kBodyField) return {413, "payload_too_large"};
      return {429, "resource_exhausted"};
    case Code::kUnavailable:
    case Code::kDeadlineExceeded:
      return {503, "unavailable"};
    case Code::kOk:
    case Code::kPermanent:
    case Code::kCorruption:
    case Code::kInternal:
      break;
  }
  return {500, "internal"};
}

void SetStatus(Poco::Net::HTTPServerResponse& resp, int status) {
  auto code = static_cast<HTTPResponse::HTTPStatus>(status);
  resp.setStatusAndReason(code, HTTPResponse::getReasonForStatus(code));
}

std::string DumpJson(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

void WriteJson(Poco::Net::HTTPServerResponse& resp, int status, const json& body) {
  WriteJsonText(resp, status, DumpJson(body));
}

void WriteJsonText(Poco::Net::HTTPServerResponse& resp, int status, const std::string& text) {
  SetStatus(resp, status);
  resp.setContentType("application/json");
  resp.sendBuffer(text.data(), text.size());  // sets Content-Length; no stream buffering
}

void WriteError(Poco::Net::HTTPServerResponse& resp, const Status& status) {
  const HttpError e = ErrorFor(status);
  json err = {{"code", e.code}};
  if (e.status >= 500 && e.status != 503) {
    // Internals stay in the server; the request id lets ops find the log line.
    err["message"] = "internal error (request " + resp.get("X-Request-Id", "?") + ")";
    if (auto* api = dynamic_cast<ApiResponse*>(&resp)) {
      api->ReportError(std::string(CodeName(status.code())) + ": " +
                       RedactText(status.message()));
    }
  } else {
    err["message"] = RedactText(status.message());
    if (!status.field().empty()) err["field"] = status.field();
  }
  if (status.retry_after_ms()) {
    resp.set("Retry-After", std::to_string((*status.retry_after_ms() + 999) / 1000));
  }
  if (e.status == 401) resp.set("WWW-Authenticate", "Bearer");
  if (e.status == 413) resp.setKeepAlive(false);  // what is left of the body is not read
  WriteJson(resp, e.status, {{"error", err}});
}

}  // namespace slipway::http
