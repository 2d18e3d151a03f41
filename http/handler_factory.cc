// http/handler_factory.cc: the dispatcher every request passes through.
#include "http/handler_factory.h"

#include <Poco/Net/HTTPRequestHandler.h>

#include <iostream>
#include <random>
#include <stdexcept>

#include "engine/base/ids.h"
#include "engine/base/redact.h"
#include "http/api_response.h"
#include "http/errors.h"
#include "http/router.h"

namespace slipway::http {

namespace {

constexpr const char* kRequestIdHeader = "X-Request-Id";

std::string NewRequestId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char* kHex = "0123456789abcdef";
  std::string id = "req_";
  for (int i = 0; i < 20; ++i) id += kHex[rng() % 16];
  return id;
}

// The client's id if it is a sane token (it lands in history), else a fresh one.
std::string RequestIdOf(const Poco::Net::HTTPServerRequest& req) {
  const std::string given = req.get(kRequestIdHeader, "");
  if (!given.empty() && ValidateWorkflowId(given).ok()) return given;
  return NewRequestId();
}

void Log(const ApiServices& s, const nlohmann::json& record) {
  const std::string line = DumpJson(record);
  if (s.options.log) {
    s.options.log(line);
  } else {
    std::cerr << line << std::endl;
  }
}

class DispatchingHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  DispatchingHandler(ApiServices& s, const TokenStore& tokens) : s_(s), tokens_(tokens) {}

  void handleRequest(Poco::Net::HTTPServerRequest& req,
                     Poco::Net::HTTPServerResponse& resp) override {
    const std::string request_id = RequestIdOf(req);
    resp.set(kRequestIdHeader, request_id);
    std::string route = "unmatched";
    // The one catch-all: a handler bug becomes a 500, never a dropped connection. After the
    // headers went out (a stream), all we can do is stop.
    if (auto* api = dynamic_cast<ApiResponse*>(&resp)) {
      api->set_error_reporter([&](const std::string& cause) {
        LogInternalError(req, request_id, route, cause);
      });
    }
    try {
      Dispatch(req, resp, request_id, route);
    } catch (const std::exception& e) {
      Escaped(req, resp, request_id, route, e.what());
    } catch (...) {
      Escaped(req, resp, request_id, route, "unknown exception");
    }
    const int status = static_cast<int>(resp.getStatus());
    s_.metrics.CountRequest(route, req.getMethod(), status);
    s_.metrics.refusals().CountServerError(status);
    if (auto reason = RefusalForStatus(status)) s_.metrics.refusals().Count(*reason);
  }

 private:
  // A 500 a handler answers (a Status that maps to it): the client sees only the request id,
  // so the cause goes to the log with it. Never tokens or bodies: the cause is our own
  // Status message, redacted. The catch-all below logs its own.
  void LogInternalError(Poco::Net::HTTPServerRequest& req, const std::string& request_id,
                        const std::string& route, const std::string& cause) {
    Log(s_, {{"level", "error"},
             {"component", "http"},
             {"msg", "internal error"},
             {"request_id", request_id},
             {"method", req.getMethod()},
             {"route", route},
             {"cause", cause}});
  }

  void Escaped(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp,
               const std::string& request_id, const std::string& route, const std::string& what) {
    Log(s_, {{"level", "error"},
             {"component", "http"},
             {"msg", "exception escaped a handler"},
             {"request_id", request_id},
             {"method", req.getMethod()},
             {"route", route},
             {"what", RedactText(what)},
             {"response_sent", resp.sent()}});
    if (auto* api = dynamic_cast<ApiResponse*>(&resp)) api->set_error_reporter(nullptr);
    if (!resp.sent()) WriteError(resp, Internal("unexpected exception"));  // logged above
  }

  void Dispatch(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp,
                const std::string& request_id, std::string& route_label) {
    if (s_.failpoints != nullptr && !s_.failpoints->Hit("http.dispatch.throw").ok()) {
      throw std::runtime_error("failpoint http.dispatch.throw");
    }
    Result<RouteMatch> m = MatchRoute(req.getMethod(), req.getURI());
    if (!m.ok()) return WriteError(resp, m.status());
    route_label = m->route->pattern;
    Exchange ex{req, resp, m->params, Principal{}, engine::Caller{}};
    if (m->route->access != Access::kPublic) {
      Result<Principal> who = Authenticate(req.get("Authorization", ""));
      if (!who.ok()) return WriteError(resp, who.status());
      Status allowed = Authorize(*who, m->route->access);
      if (!allowed.ok()) return WriteError(resp, allowed);
      ex.principal = *who;
      ex.caller.actor = who->actor();
    }
    ex.caller.address = req.clientAddress().host().toString();
    ex.caller.request_id = request_id;
    m->route->handler(s_, ex);
  }

  // The tokens file first (in memory), then the tokens kept in the store.
  Result<Principal> Authenticate(const std::string& authorization) {
    Result<std::array<unsigned char, 32>> hash = BearerTokenHash(authorization);
    if (!hash.ok()) return hash.status();
    Result<Principal> from_file = tokens_.Find(*hash);
    if (from_file.ok()) return from_file;
    return s_.api_tokens.Authenticate(*hash);
  }

  ApiServices& s_;
  const TokenStore& tokens_;
};

}  // namespace

Poco::Net::HTTPRequestHandler* HandlerFactory::createRequestHandler(
    const Poco::Net::HTTPServerRequest&) {
  return new DispatchingHandler(services_, tokens_);
}

}  // namespace slipway::http
