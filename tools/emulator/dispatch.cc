// tools/emulator/dispatch.cc: routes a request to its family, applying injected faults first,
// and records it in the request log.
#include <chrono>
#include <thread>

#include "tools/emulator/emulator_state.h"
#include "tools/emulator/webhooks.h"

namespace slipway::emulator {

namespace {

std::string StatusText(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Bad credentials";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 422: return "Validation Failed";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 529: return "Overloaded";
    default: return "Error";
  }
}

std::string VercelCode(int status) {
  switch (status) {
    case 400: return "bad_request";
    case 401:
    case 403: return "forbidden";
    case 404: return "not_found";
    case 409: return "conflict";
    case 429: return "rate_limited";
    default: return status >= 500 ? "internal_server_error" : "bad_request";
  }
}

std::string AnthropicType(int status) {
  switch (status) {
    case 400: return "invalid_request_error";
    case 401: return "authentication_error";
    case 403: return "permission_error";
    case 404: return "not_found_error";
    case 409: return "conflict_error";
    case 413: return "request_too_large";
    case 429: return "rate_limit_error";
    case 504: return "timeout_error";
    case 529: return "overloaded_error";
    default: return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

// Holds a hung request until hang_ms passes or the emulator stops.
void Hang(EmulatorState& state, int64_t hang_ms) {
  std::unique_lock<std::mutex> lock(state.stop_mu);
  state.stop_cv.wait_for(lock, std::chrono::milliseconds(hang_ms),
                         [&] { return state.stopping; });
}

// The family's rate-limit headers with `remaining` left and the window ending reset_s from now.
void AddLimitHeaders(EmulatorState& state, Family family, int64_t remaining, int64_t reset_s,
                     EmuResponse& r) {
  const TimeMs reset_ms = (state.clock.NowMs() / 1000 + reset_s) * 1000;
  const std::string left = std::to_string(remaining);
  const std::string epoch_s = std::to_string(reset_ms / 1000);
  switch (family) {
    case Family::kVercel:
      r.headers.emplace_back("X-RateLimit-Limit", "100");
      r.headers.emplace_back("X-RateLimit-Remaining", left);
      r.headers.emplace_back("X-RateLimit-Reset", epoch_s);
      break;
    case Family::kAnthropic:
      r.headers.emplace_back("anthropic-ratelimit-requests-limit", "1000");
      r.headers.emplace_back("anthropic-ratelimit-requests-remaining", left);
      r.headers.emplace_back("anthropic-ratelimit-requests-reset", FormatRfc3339(reset_ms));
      break;
    default:
      r.headers.emplace_back("x-ratelimit-limit", "5000");
      r.headers.emplace_back("x-ratelimit-remaining", left);
      r.headers.emplace_back("x-ratelimit-used", std::to_string(5000 - remaining));
      r.headers.emplace_back("x-ratelimit-reset", epoch_s);
      r.headers.emplace_back("x-ratelimit-resource", "core");
  }
}

EmuResponse FaultResponse(EmulatorState& state, Family family, const FaultRule& rule) {
  EmuResponse r = FamilyError(state, family, rule.status, StatusText(rule.status));
  if (rule.retry_after_s >= 0) r.headers.emplace_back("Retry-After", std::to_string(rule.retry_after_s));
  if (rule.retry_after_ms >= 0) {
    r.headers.emplace_back("retry-after-ms", std::to_string(rule.retry_after_ms));
  }
  if (family == Family::kVercel && rule.status == 429) {  // Vercel's rate_limited body
    int64_t wait_s = rule.retry_after_s >= 0 ? rule.retry_after_s : rule.ratelimit_reset_s;
    int64_t reset_ms = state.clock.NowMs() + wait_s * 1000;
    r.body = nlohmann::json{{"error", {{"code", "rate_limited"},
                                       {"message", "Rate limit exceeded"},
                                       {"limit", {{"remaining", 0},
                                                  {"reset", reset_ms / 1000},
                                                  {"resetMs", reset_ms},
                                                  {"total", 100}}}}}}
                 .dump();
  }
  if (rule.rate_limit) {
    AddLimitHeaders(state, family, 0, rule.ratelimit_reset_s, r);
    if (family == Family::kGitHub) {
      r.body = nlohmann::json{{"message", "API rate limit exceeded for user."},
                              {"documentation_url",
                               "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"}}
                   .dump();
    }
  } else if (rule.ratelimit_remaining >= 0) {
    AddLimitHeaders(state, family, rule.ratelimit_remaining, rule.ratelimit_reset_s, r);
  }
  return r;
}

EmuResponse Route(EmulatorState& state, Family family, const EmuRequest& req) {
  std::lock_guard<std::mutex> lock(state.mu);
  if (family != Family::kAdmin && IsSiteRequest(state, req)) return HandleSite(state, req);
  switch (family) {
    case Family::kAdmin: return HandleAdmin(state, req);
    case Family::kCodeload: return HandleCodeload(state, req);
    case Family::kVercel: return HandleVercel(state, req);
    case Family::kAnthropic: return HandleAnthropic(state, req);
    case Family::kGitHub: return HandleGitHub(state, req);
  }
  return FamilyError(state, family, 404, "Not Found");
}

}  // namespace

Family FamilyOf(const std::string& path) {
  if (path.rfind("/_admin/", 0) == 0) return Family::kAdmin;
  if (path.rfind("/_codeload/", 0) == 0) return Family::kCodeload;
  if (path.rfind("/v1/messages", 0) == 0) return Family::kAnthropic;
  if (path.size() > 2 && path[0] == '/' && path[1] == 'v' && std::isdigit(path[2])) {
    return Family::kVercel;
  }
  return Family::kGitHub;
}

EmuResponse FamilyError(EmulatorState& state, Family family, int status,
                        const std::string& message) {
  switch (family) {
    case Family::kVercel:
      return Json(status, {{"error", {{"code", VercelCode(status)}, {"message", message}}}});
    case Family::kAnthropic: {
      std::string id = "req_emu" + std::to_string(++state.request_counter);
      EmuResponse r = Json(status, {{"type", "error"},
                                    {"error", {{"type", AnthropicType(status)}, {"message", message}}},
                                    {"request_id", id}});
      r.headers.emplace_back("request-id", id);
      return r;
    }
    default:
      return Json(status, {{"message", message},
                           {"documentation_url", "https://docs.github.com/rest"},
                           {"status", std::to_string(status)}});
  }
}

EmuResponse Dispatch(EmulatorState& state, const EmuRequest& req) {
  Family family = FamilyOf(req.path);
  std::optional<FaultDecision> fault;
  if (family != Family::kAdmin) fault = state.faults.Decide(req.method, req.path);
  EmuResponse resp;
  if (fault && fault->rule.latency_ms > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(fault->rule.latency_ms));
  }
  if (fault && fault->rule.hang_ms > 0) {
    Hang(state, fault->rule.hang_ms);
    resp = FamilyError(state, family, 504, "Gateway Timeout");
  } else if (fault && fault->rule.status != 0 && fault->rule.after_effect) {
    // The effect lands; only the answer is lost (a proxy's 502 after the origin committed).
    EmuResponse done = Route(state, family, req);
    resp = FaultResponse(state, family, fault->rule);
    if (done.status < 300) {
      resp.effect = done.effect;
      resp.subject = done.subject;
      resp.deliveries = done.deliveries;  // the push happened: GitHub still delivers it
    }
  } else if (fault && fault->rule.status != 0) {
    resp = FaultResponse(state, family, fault->rule);
  } else {
    resp = Route(state, family, req);
  }
  if (resp.status >= 300 && !(fault && fault->rule.after_effect)) {
    resp.effect.clear();
    resp.deliveries.clear();
  }
  if (!resp.deliveries.empty()) {  // webhooks.h: sent before the request is answered
    nlohmann::json sent = SendDeliveries(state, resp.deliveries);
    nlohmann::json body = nlohmann::json::parse(resp.body, nullptr, false);
    if (family == Family::kAdmin && body.is_object()) {
      body["deliveries"] = sent;
      resp.body = body.dump();
    }
  }
  if (family != Family::kAdmin) {
    state.log.Append({0, req.method, req.path, resp.status, resp.effect, resp.subject,
                      fault ? fault->Describe() : "", req.peer});
  }
  return resp;
}

}  // namespace slipway::emulator
