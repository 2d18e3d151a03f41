// http/router.h: the route table (method, path pattern, access, handler) and matching.
//
// The table is the single list of endpoints: the dispatcher serves it and the OpenAPI test
// compares it with docs/openapi.json. Patterns use OpenAPI's "{name}" segments. Immutable;
// thread-safe.
#pragma once

#include <string>
#include <vector>

#include "engine/base/status.h"
#include "http/auth.h"

namespace slipway::http {

struct ApiServices;
struct Exchange;
using Handler = void (*)(ApiServices&, Exchange&);

struct Route {
  const char* method;
  const char* pattern;
  Access access;
  Handler handler;
  // Answers from memory or one quick store read and never waits (without `wait=`): may be
  // served on the event loop's thread (request_head.h). Everything else goes to the pool.
  bool quick = false;
};

const std::vector<Route>& Routes();

struct RouteMatch {
  const Route* route = nullptr;
  std::vector<std::string> params;  // decoded, in pattern order
};

// The route for a method and a request target (path, maybe with "?query").
// kNotFound if no pattern matches the path, MethodNotAllowed (405) if one does with another
// method, kInvalidArgument for a malformed path.
Result<RouteMatch> MatchRoute(const std::string& method, const std::string& target);

}  // namespace slipway::http
