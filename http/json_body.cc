// http/json_body.cc: bounded body reads, JSON parsing with limits, query parameters.
#include "http/json_body.h"

#include <Poco/Net/MediaType.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "engine/base/json_depth.h"
#include "http/errors.h"

namespace slipway::http {

using nlohmann::json;

namespace {

// Names echoed in messages are clipped: they come from the client.
std::string Clip(const std::string& s) { return s.size() > 64 ? s.substr(0, 64) + "..." : s; }

// nlohmann's message names the problem; the part after "; last read" would echo the body.
std::string ParseProblem(const json::parse_error& e) {
  std::string what = e.what();
  size_t start = what.find("parse error");
  if (start != std::string::npos) what = what.substr(start);
  size_t cut = what.find("; last read");
  if (cut != std::string::npos) what = what.substr(0, cut);
  return "body is not valid JSON: " + what;
}

// Reads and drops what is left of an oversized body (up to a bound), so that the client,
// still sending, gets to read our 413 instead of a connection reset.
void Drain(std::istream& in) {
  constexpr size_t kDrainLimit = 8 << 20;
  char buf[16384];
  size_t drained = 0;
  while (in && drained < kDrainLimit) {
    in.read(buf, sizeof buf);
    drained += static_cast<size_t>(in.gcount());
  }
}

}  // namespace

Result<std::string> ReadBody(std::istream& in, int64_t declared_length, size_t max_bytes) {
  const std::string too_large = "body exceeds " + std::to_string(max_bytes) + " bytes";
  if (declared_length > static_cast<int64_t>(max_bytes)) {
    Drain(in);
    return PayloadTooLarge(too_large);
  }
  std::string body;
  char buf[16384];
  while (in) {
    in.read(buf, sizeof buf);
    body.append(buf, static_cast<size_t>(in.gcount()));
    if (body.size() > max_bytes) {
      Drain(in);
      return PayloadTooLarge(too_large);
    }
  }
  return body;
}

Result<json> ParseJsonObject(const std::string& text, int max_depth,
                             const std::vector<std::string>& allowed) {
  if (JsonNestsDeeperThan(text, max_depth)) {
    return InvalidArgument(kBodyField,
                           "JSON nested deeper than " + std::to_string(max_depth) + " levels");
  }
  json value;
  try {
    value = json::parse(text);
  } catch (const json::parse_error& e) {
    return InvalidArgument(kBodyField, ParseProblem(e));
  } catch (const json::out_of_range&) {
    // A number too large for a double ("1e400"): the parser throws out_of_range, not a
    // parse_error. Its message quotes the number, so it is not passed on.
    return InvalidArgument(kBodyField, "body is not valid JSON: a number is out of range");
  }
  if (!value.is_object()) return InvalidArgument(kBodyField, "body must be a JSON object");
  for (const auto& item : value.items()) {
    if (std::find(allowed.begin(), allowed.end(), item.key()) == allowed.end()) {
      return InvalidArgument(Clip(item.key()), "unknown field '" + Clip(item.key()) + "'");
    }
  }
  return value;
}

Result<json> ReadJsonObject(Poco::Net::HTTPServerRequest& req, const BodyLimits& limits,
                            const std::vector<std::string>& allowed, bool allow_empty) {
  const int64_t declared = req.hasContentLength() ? req.getContentLength64() : -1;
  Result<std::string> body = ReadBody(req.stream(), declared, limits.max_bytes);
  if (!body.ok()) return body.status();
  if (body->find_first_not_of(" \t\r\n") == std::string::npos) {
    if (allow_empty) return json::object();
    return InvalidArgument(kBodyField, "a JSON object body is required");
  }
  if (!req.has("Content-Type") ||
      !Poco::Net::MediaType(req.getContentType()).matches("application", "json")) {
    return UnsupportedMediaType("send the body as Content-Type: application/json");
  }
  return ParseJsonObject(*body, limits.max_depth, allowed);
}

Result<std::string> OptionalString(const json& obj, const std::string& field, size_t max_length) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return std::string();
  if (!it->is_string()) return InvalidArgument(field, field + " must be a string");
  std::string s = it->get<std::string>();
  if (s.size() > max_length) {
    return InvalidArgument(field, field + " is longer than " + std::to_string(max_length));
  }
  return s;
}

Result<Query> ParseQuery(const std::string& uri, const std::vector<std::string>& allowed) {
  Query q;
  Poco::URI::QueryParameters params;
  try {
    params = Poco::URI(uri).getQueryParameters();
  } catch (const Poco::Exception&) {
    return InvalidArgument("query", "malformed query string");
  }
  for (const auto& [name, value] : params) {
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      return InvalidArgument(Clip(name), "unknown query parameter '" + Clip(name) + "'");
    }
    if (!q.emplace(name, value).second) {
      return InvalidArgument(name, "query parameter '" + name + "' given twice");
    }
  }
  return q;
}

Result<int64_t> IntParam(const Query& q, const std::string& name, int64_t fallback, int64_t min,
                         int64_t max) {
  auto it = q.find(name);
  if (it == q.end()) return fallback;
  const std::string& text = it->second;
  const Status bad = InvalidArgument(name, name + " must be an integer from " +
                                               std::to_string(min) + " to " + std::to_string(max));
  if (text.empty() || text.size() > 19 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    return bad;
  }
  errno = 0;
  const long long v = std::strtoll(text.c_str(), nullptr, 10);
  if (errno != 0 || v < min || v > max) return bad;
  return static_cast<int64_t>(v);
}

Result<std::optional<TimeMs>> TimeParam(const Query& q, const std::string& name) {
  auto it = q.find(name);
  if (it == q.end()) return std::optional<TimeMs>();
  std::optional<TimeMs> t = ParseRfc3339(it->second);
  if (!t) {
    return InvalidArgument(name, name + " must be an RFC 3339 UTC time like 2026-01-31T00:00:00Z");
  }
  return t;
}

}  // namespace slipway::http
