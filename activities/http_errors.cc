#include "activities/http_errors.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "engine/base/redact.h"
#include "engine/base/utf8.h"

namespace slipway::activities {

namespace {

constexpr size_t kMaxRemoteMessage = 200;
constexpr int64_t kSecondaryLimitWaitMs = 60'000;  // GitHub: "wait at least one minute"

std::optional<int64_t> ParseInt(const std::string& s) {
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (end == s.c_str() || *end != '\0') return std::nullopt;
  return v;
}

std::optional<double> ParseNumber(const std::string& s) {
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0') return std::nullopt;
  return v;
}

int64_t NonNegative(int64_t v) { return v < 0 ? 0 : v; }

std::optional<int64_t> AnthropicResetMs(const HttpHeaders& headers, TimeMs now_ms) {
  static const char* kBuckets[] = {"requests", "tokens", "input-tokens", "output-tokens"};
  std::optional<int64_t> exhausted;
  for (const char* bucket : kBuckets) {
    std::string prefix = std::string("anthropic-ratelimit-") + bucket;
    auto reset = headers.Get(prefix + "-reset");
    if (!reset) continue;
    auto at = ParseRfc3339(*reset);
    if (!at) continue;
    int64_t wait = NonNegative(*at - now_ms);
    if (headers.Get(prefix + "-remaining") == std::string("0")) {
      if (!exhausted || wait > *exhausted) exhausted = wait;
    }
  }
  return exhausted;
}

bool IsGitHubRateLimit(const HttpResponse& r) {
  if (r.headers.Get("x-ratelimit-remaining") == std::string("0")) return true;
  nlohmann::json body = nlohmann::json::parse(r.body, nullptr, false);
  if (!body.is_object()) return false;
  std::string doc = body.value("documentation_url", "");
  std::string msg = body.value("message", "");
  return doc.find("secondary-rate-limits") != std::string::npos ||
         doc.find("abuse-rate-limits") != std::string::npos ||
         msg.find("secondary rate limit") != std::string::npos;
}

// The remote's own field name for a validation error (GitHub errors[].field), if any.
std::string RemoteField(const std::string& body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("errors") || !j["errors"].is_array()) return "";
  for (const auto& e : j["errors"]) {
    if (e.is_object() && e.contains("field") && e["field"].is_string()) return e["field"];
  }
  return "";
}

// Vercel's 429 body: {"error": {"code": "rate_limited", "limit": {"remaining", "reset" (epoch s),
// "resetMs" (epoch ms), "total"}}}; the wait when no Retry-After came with it.
std::optional<int64_t> VercelLimitResetMs(const std::string& body, TimeMs now_ms) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("error") || !j["error"].is_object()) return std::nullopt;
  const nlohmann::json& e = j["error"];
  if (!e.contains("limit") || !e["limit"].is_object()) return std::nullopt;
  const nlohmann::json& limit = e["limit"];
  if (limit.contains("resetMs") && limit["resetMs"].is_number()) {
    return NonNegative(limit["resetMs"].get<int64_t>() - now_ms);
  }
  if (limit.contains("reset") && limit["reset"].is_number()) {
    return NonNegative(limit["reset"].get<int64_t>() * 1000 - now_ms);
  }
  return std::nullopt;
}

Status Retryable(const HttpResponse& r, std::string message, TimeMs now_ms) {
  Status s = Unavailable(std::move(message));
  if (auto wait = RetryAfterMs(r.headers, now_ms)) {
    s.WithRetryAfter(*wait);
  } else if (r.status == 429) {
    if (auto reset = VercelLimitResetMs(r.body, now_ms)) s.WithRetryAfter(*reset);
  }
  return s;
}

}  // namespace

std::optional<TimeMs> ParseHttpDate(const std::string& text) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S", &tm);
  if (end == nullptr) return std::nullopt;
  return static_cast<TimeMs>(timegm(&tm)) * 1000;
}

std::optional<TimeMs> ParseRfc3339(const std::string& text) {
  std::tm tm{};
  const char* p = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (p == nullptr) return std::nullopt;
  TimeMs ms = static_cast<TimeMs>(timegm(&tm)) * 1000;
  if (*p == '.') {
    int scale = 100;
    for (++p; std::isdigit(static_cast<unsigned char>(*p)); ++p) {
      ms += (*p - '0') * scale;
      scale /= 10;
    }
  }
  if (*p == 'Z' || *p == 'z') return ms;
  if ((*p == '+' || *p == '-') && std::strlen(p) == 6 && p[3] == ':') {
    int sign = *p == '+' ? 1 : -1;
    int minutes = std::atoi(std::string(p + 1, 2).c_str()) * 60 + std::atoi(p + 4);
    return ms - sign * static_cast<TimeMs>(minutes) * 60'000;
  }
  return std::nullopt;
}

std::optional<int64_t> RetryAfterMs(const HttpHeaders& headers, TimeMs now_ms) {
  if (auto v = headers.Get("retry-after-ms")) {
    if (auto n = ParseNumber(*v)) return NonNegative(static_cast<int64_t>(*n));
  }
  if (auto v = headers.Get("retry-after")) {
    if (auto n = ParseNumber(*v)) return NonNegative(static_cast<int64_t>(*n * 1000));
    if (auto at = ParseHttpDate(*v)) return NonNegative(*at - now_ms);
  }
  // Every GitHub answer carries the window's reset (often an hour away): it is a wait only
  // when the window is spent, never for a plain 5xx that happens to carry it.
  if (headers.Get("x-ratelimit-remaining") == std::string("0")) {
    if (auto v = headers.Get("x-ratelimit-reset")) {
      if (auto epoch_s = ParseInt(*v)) return NonNegative(*epoch_s * 1000 - now_ms);
    }
  }
  return AnthropicResetMs(headers, now_ms);
}

std::string RemoteMessage(const std::string& body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object()) return "";
  std::string msg;
  if (j.contains("message") && j["message"].is_string()) {
    msg = j["message"];
  } else if (j.contains("error") && j["error"].is_object() && j["error"].contains("message") &&
             j["error"]["message"].is_string()) {
    msg = j["error"]["message"];
  } else if (j.contains("error") && j["error"].is_string()) {
    msg = j["error"];
  }
  for (char& c : msg) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  msg = RedactText(msg);
  msg = TruncateUtf8(msg, kMaxRemoteMessage, "...");
  return msg;
}

Status StatusFromResponse(const HttpResponse& response, const std::string& what) {
  SystemClock clock;
  return StatusFromResponse(response, what, clock.NowMs());
}

Status StatusFromResponse(const HttpResponse& r, const std::string& what, TimeMs now_ms) {
  if (r.status >= 200 && r.status < 300) return Status::Ok();
  std::string message = RedactText(what) + ": HTTP " + std::to_string(r.status);
  std::string remote = RemoteMessage(r.body);
  if (!remote.empty()) message += ": " + remote;

  if (auto should = r.headers.Get("x-should-retry")) {
    if (*should == "true") return Retryable(r, message, now_ms);
    if (*should == "false") return Permanent(message);
  }
  if (r.status == 408 || r.status == 429 || r.status >= 500) {
    return Retryable(r, message, now_ms);
  }
  if (r.status == 403 && IsGitHubRateLimit(r)) {
    Status s = Retryable(r, message, now_ms);
    if (!s.retry_after_ms()) s.WithRetryAfter(kSecondaryLimitWaitMs);
    return s;
  }
  if (r.status == 409) return Conflict(message);
  if (r.status == 400 || r.status == 422) {
    std::string field = RemoteField(r.body);
    return InvalidArgument(field.empty() ? "request" : field, message);
  }
  return Permanent(message);
}

}  // namespace slipway::activities
