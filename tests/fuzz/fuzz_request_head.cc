// tests/fuzz/fuzz_request_head.cc: the bytes of a request head, as a client sends them.
//
// Runs what the server does with a head before a handler sees it: ClassifyRequest on the raw
// inbox (with the real head limit and a tiny one), Poco's head parser (what
// HTTPServerRequestImpl runs; its exceptions are caught in Connection::ServeOne exactly like
// here), then the router and the X-Request-Id check of the dispatcher.
#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequest.h>

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

#include "engine/base/ids.h"
#include "http/request_head.h"
#include "http/router.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace slipway;
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)http::ClassifyRequest(text, 16 * 1024);
  (void)http::ClassifyRequest(text, 64);

  std::istringstream in(text);
  Poco::Net::HTTPRequest req;
  try {
    req.read(in);
    (void)req.getKeepAlive();
    (void)req.getExpectContinue();
    (void)req.getChunkedTransferEncoding();
    if (req.hasContentLength()) (void)req.getContentLength64();
  } catch (const Poco::Exception&) {
    return 0;  // ServeOne answers 400 or drops the connection
  }
  Result<http::RouteMatch> route = http::MatchRoute(req.getMethod(), req.getURI());
  if (route.ok() && route->route == nullptr) __builtin_trap();  // ok means a route
  (void)ValidateWorkflowId(req.get("X-Request-Id", ""));
  return 0;
}
