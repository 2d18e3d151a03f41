// http/handler_factory.h: the Poco request handler factory. Every request goes through one
// DispatchingHandler: request id, route match, authentication, role check, the route's
// handler, and the one catch-all that turns an escaping exception into a 500. Internal to
// http/. Thread-safe (one handler object per request; shared state is in ApiServices).
#pragma once

#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include "http/api_context.h"

namespace slipway::http {

class HandlerFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  HandlerFactory(ApiServices services, const TokenStore& tokens)
      : services_(services), tokens_(tokens) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest& request) override;

 private:
  ApiServices services_;
  const TokenStore& tokens_;
};

}  // namespace slipway::http
