// http/json_body.h: turning what a client sends into checked values: bounded bodies, JSON
// objects with a depth limit and no unknown fields, and query parameters.
//
// Every failure is a Status naming the field (or "body"); oversized bodies are
// PayloadTooLarge (413), a wrong Content-Type UnsupportedMediaType (415). Stateless;
// thread-safe.
#pragma once

#include <Poco/Net/HTTPServerRequest.h>

#include <cstdint>
#include <istream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/clock.h"
#include "engine/base/status.h"

namespace slipway::http {

struct BodyLimits {
  size_t max_bytes = 1 << 20;
  int max_depth = 32;
};

// Reads at most max_bytes from `in`; a declared length (>= 0) above it fails at once.
Result<std::string> ReadBody(std::istream& in, int64_t declared_length, size_t max_bytes);
// Parses a JSON object whose top-level keys are all in `allowed`.
Result<nlohmann::json> ParseJsonObject(const std::string& text, int max_depth,
                                       const std::vector<std::string>& allowed);
// The request's JSON object body. An empty body is {} when allow_empty, else an error.
// A non-empty body must be sent as application/json.
Result<nlohmann::json> ReadJsonObject(Poco::Net::HTTPServerRequest& req, const BodyLimits& limits,
                                      const std::vector<std::string>& allowed, bool allow_empty);

// An optional string member: "" when absent; kInvalidArgument when not a string or too long.
Result<std::string> OptionalString(const nlohmann::json& obj, const std::string& field,
                                   size_t max_length);

// Query parameters of a request URI, decoded; unknown or repeated names are rejected.
using Query = std::map<std::string, std::string>;
Result<Query> ParseQuery(const std::string& uri, const std::vector<std::string>& allowed);
// An integer parameter in [min, max]; `fallback` when absent.
Result<int64_t> IntParam(const Query& q, const std::string& name, int64_t fallback, int64_t min,
                         int64_t max);
// A time parameter in RFC 3339 UTC ("2026-01-31T00:00:00Z", fraction optional; ParseRfc3339):
// nullopt when absent; kInvalidArgument naming it when malformed.
Result<std::optional<TimeMs>> TimeParam(const Query& q, const std::string& name);

}  // namespace slipway::http
