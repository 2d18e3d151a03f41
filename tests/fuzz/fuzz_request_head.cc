// tests/fuzz/fuzz_request_head.cc: the bytes of a request head, as a client sends them.
//
// Runs what the server does with a head before a handler sees it: ClassifyRequest on the raw
// inbox (with the real head limit and a tiny one), MeasureRequest on a whole head (the body
// framing the loop reads, in one pass and resumed byte by byte), Poco's head parser (what
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
#include "http/request_body.h"
#include "http/request_head.h"
#include "http/router.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace slipway;
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)http::ClassifyRequest(text, 16 * 1024);
  (void)http::ClassifyRequest(text, 64);
  if (http::RequestHeadEnd(text) != std::string_view::npos) {
    const http::RequestExtent whole = http::MeasureRequest(text, 1 << 20);
    // Growing a byte at a time with a cursor must end where one look at it all ends.
    http::ChunkCursor cursor;
    http::RequestExtent grown;
    for (size_t n = http::RequestHeadEnd(text); n <= text.size(); ++n) {
      grown = http::MeasureRequest(std::string_view(text).substr(0, n), 1 << 20, &cursor);
      if (grown.state != http::RequestExtent::State::kIncomplete) break;
    }
    if (whole.state == http::RequestExtent::State::kComplete &&
        (grown.state != whole.state || grown.size != whole.size)) {
      __builtin_trap();
    }
    if (whole.state == http::RequestExtent::State::kComplete && whole.size > text.size()) {
      __builtin_trap();
    }
  }

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
