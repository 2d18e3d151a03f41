// tools/slipctl/api_client.cc: requests to the Slipway HTTP API, error replies turned into
// Status, and the two paged reads (history by next_after, lists by next_cursor).
#include "tools/slipctl/api_client.h"

#include <cctype>
#include <cstdio>

namespace slipway::slipctl {

using nlohmann::json;

namespace {

// Wire error codes that are not our Code names map to the nearest one.
Code CodeFromWire(const std::string& wire, int http_status) {
  if (wire == "payload_too_large") return Code::kResourceExhausted;
  if (wire == "unsupported_media_type" || wire == "method_not_allowed") {
    return Code::kInvalidArgument;
  }
  Code c = CodeFromName(wire);
  if (c != Code::kInternal || wire == "internal") return c;
  if (http_status == 503) return Code::kUnavailable;
  if (http_status == 404) return Code::kNotFound;
  return Code::kInternal;
}

// Retry-After in seconds (the only form the API sends).
std::optional<int64_t> RetryAfterMs(const std::string& value) {
  if (value.empty() || value.size() > 6 ||
      value.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return std::stoll(value) * 1000;
}

}  // namespace

Result<std::string> NormaliseBaseUrl(const std::string& url) {
  std::string u = url;
  if (u.compare(0, 7, "http://") != 0 && u.compare(0, 8, "https://") != 0) {
    return InvalidArgument("url", "the API URL must start with http:// or https://");
  }
  if (u.find_first_of("?# ") != std::string::npos) {
    return InvalidArgument("url", "the API URL must not carry a query, fragment or space");
  }
  while (!u.empty() && u.back() == '/') u.pop_back();
  return u;
}

std::string UrlEncode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

Status ApiError(int http_status, const std::string& body, const std::string& retry_after) {
  json j = json::parse(body, nullptr, false);
  Status s;
  if (j.is_object() && j.contains("error") && j["error"].is_object()) {
    const json& e = j["error"];
    const std::string wire = e.value("code", "");
    s = Status(CodeFromWire(wire, http_status),
               e.value("message", "HTTP " + std::to_string(http_status)), e.value("field", ""));
  } else {
    // Not the API's error shape (a proxy, a wrong URL): say only the status, never the body.
    s = Status(CodeFromWire("", http_status),
               "HTTP " + std::to_string(http_status) + " without an API error body");
  }
  if (auto ms = RetryAfterMs(retry_after)) s.WithRetryAfter(*ms);
  return s;
}

ApiClient::ApiClient(activities::HttpClient& http, ApiConfig config)
    : http_(http), config_(std::move(config)) {}

Result<ApiReply> ApiClient::Get(const std::string& path,
                                const std::map<std::string, std::string>& headers,
                                int64_t extra_timeout_ms) {
  activities::HttpRequest req;
  req.method = "GET";
  req.url = config_.url + path;
  for (const auto& [k, v] : headers) req.headers.Set(k, v);
  req.timeout_ms = config_.timeout_ms + extra_timeout_ms;
  return Send(std::move(req));
}

Result<ApiReply> ApiClient::Post(const std::string& path, const json& body) {
  activities::HttpRequest req;
  req.method = "POST";
  req.url = config_.url + path;
  req.headers.Set("Content-Type", "application/json");
  req.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  req.timeout_ms = config_.timeout_ms;
  return Send(std::move(req));
}

Result<ApiReply> ApiClient::Send(activities::HttpRequest req) {
  if (!config_.token.empty()) req.headers.Set("Authorization", "Bearer " + config_.token);
  req.headers.Set("Accept", "application/json");
  Result<activities::HttpResponse> resp = http_.Send(req);
  if (!resp.ok()) return resp.status();
  if (resp->status >= 400 || resp->status < 200) {
    return ApiError(resp->status, resp->body, resp->headers.Get("Retry-After").value_or(""));
  }
  ApiReply reply;
  reply.status = resp->status;
  reply.etag = resp->headers.Get("ETag").value_or("");
  if (resp->status != 304 && !resp->body.empty()) {
    reply.body = json::parse(resp->body, nullptr, false);
    if (reply.body.is_discarded()) {
      return Internal("the API answered HTTP " + std::to_string(resp->status) +
                      " with a body that is not JSON");
    }
  }
  return reply;
}

Status ForEachEvent(ApiClient& api, const std::string& id, int page_size,
                    const std::function<Status(const json& event)>& fn) {
  int64_t after = 0;
  while (true) {
    Result<ApiReply> r =
        api.Get("/v1/workflows/" + UrlEncode(id) + "/history?after=" + std::to_string(after) +
                "&limit=" + std::to_string(page_size));
    if (!r.ok()) return r.status();
    if (!r->body.is_object()) return Internal("the history reply is not a JSON object");
    const json& events = r->body.value("events", json::array());
    for (const json& e : events) SLIPWAY_RETURN_IF_ERROR(fn(e));
    const json next = r->body.value("next_after", json());
    if (!next.is_number_integer() || events.empty()) return Status::Ok();
    if (next.get<int64_t>() <= after) return Internal("history paging did not advance");
    after = next.get<int64_t>();
  }
}

Status ForEachWorkflow(ApiClient& api, const std::string& query, bool all,
                       const std::function<Status(const json& workflow)>& fn, bool* more) {
  std::string cursor;
  while (true) {
    std::string path = "/v1/workflows?" + query;
    if (!cursor.empty())
      path += std::string(query.empty() ? "" : "&") + "cursor=" + UrlEncode(cursor);
    Result<ApiReply> r = api.Get(path);
    if (!r.ok()) return r.status();
    if (!r->body.is_object()) return Internal("the list reply is not a JSON object");
    for (const json& w : r->body.value("workflows", json::array())) SLIPWAY_RETURN_IF_ERROR(fn(w));
    const json next = r->body.value("next_cursor", json());
    const bool has_next = next.is_string() && !next.get<std::string>().empty();
    if (more != nullptr) *more = has_next;
    if (!has_next || !all) return Status::Ok();
    if (next.get<std::string>() == cursor) return Internal("list paging did not advance");
    cursor = next.get<std::string>();
  }
}

}  // namespace slipway::slipctl
