// http/api_context.h: what a handler gets: the shared services of the server (engine,
// options, metrics) and the exchange of one request (request, response, path parameters, the
// authenticated principal and the Caller to record). Internal to http/.
//
// ApiServices is shared by all request threads: the engine is thread-safe, options are
// immutable, metrics and the waiter count are synchronised. An Exchange belongs to one
// request thread.
#pragma once

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <atomic>
#include <string>
#include <vector>

#include "engine/base/ids.h"
#include "engine/engine.h"
#include "http/auth.h"
#include "http/body_cache.h"
#include "http/http_api.h"
#include "http/json_body.h"
#include "http/metrics.h"

namespace slipway::http {

struct ApiServices {
  engine::Engine& engine;
  const HttpApiOptions& options;
  HttpMetrics& metrics;
  BodyCache& bodies;  // rendered GET /v1/workflows/{id} bodies
  const std::string& openapi_json;
  std::atomic<bool>& stopping;
  std::atomic<int>& waiters;  // requests in a long poll or stream
  Failpoints* failpoints;     // may be null
  BodyLimits limits() const { return {options.max_body, options.max_json_depth}; }
};

struct Exchange {
  Poco::Net::HTTPServerRequest& req;
  Poco::Net::HTTPServerResponse& resp;
  std::vector<std::string> params;  // decoded path parameters, in pattern order
  Principal principal;              // empty for public routes
  engine::Caller caller;            // actor, address, request id; handlers add the reason
};

// Reserves one waiter slot for a long poll or stream; releases it on destruction.
// ok() is false when options.max_waiters are already taken.
class WaiterSlot {
 public:
  explicit WaiterSlot(ApiServices& s);
  ~WaiterSlot();
  WaiterSlot(const WaiterSlot&) = delete;
  WaiterSlot& operator=(const WaiterSlot&) = delete;
  bool ok() const { return ok_; }

 private:
  ApiServices& s_;
  bool ok_;
};

// The head of a workflow the principal may see (kNotFound for another tenant's): one small
// store read, often from memory (Store::LoadHead: id, type, tenant, status, serial key,
// version), and no rendering, for handlers that may answer from its version alone.
Result<storage::Instance> LoadVisibleInstance(ApiServices& s, const Exchange& ex,
                                              const std::string& id);
// Loads a workflow the principal may see: kNotFound for another tenant's (ids do not leak).
Result<engine::Workflow> GetVisible(ApiServices& s, const Exchange& ex, const std::string& id);

}  // namespace slipway::http
