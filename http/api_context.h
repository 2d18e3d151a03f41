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
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/base/ids.h"
#include "engine/engine.h"
#include "http/api_tokens.h"
#include "http/auth.h"
#include "http/body_cache.h"
#include "http/http_api.h"
#include "http/io_server.h"
#include "http/json_body.h"
#include "http/metrics.h"

namespace slipway::http {

// Long polls and streams in progress per principal (the key of WaiterSlot). Thread-safe.
class WaitCounts {
 public:
  // Takes one for `key` unless it holds `cap` already.
  bool TryTake(const std::string& key, int cap);
  void Give(const std::string& key);

 private:
  std::mutex mu_;
  std::unordered_map<std::string, int> counts_;  // guarded by mu_; no zero entries
};

struct ApiServices {
  engine::Engine& engine;
  const HttpApiOptions& options;
  HttpMetrics& metrics;
  BodyCache& bodies;  // rendered GET /v1/workflows/{id} bodies
  const std::string& openapi_json;
  std::atomic<bool>& stopping;
  std::atomic<int>& waiters;  // requests in a long poll or stream
  WaitCounts& principal_waits;  // the same, per principal
  ApiTokens& api_tokens;        // tokens kept in the store, beside the tokens file
  Failpoints* failpoints;     // may be null
  // The server's capacity now, for /healthz (may be empty: nothing to report).
  std::function<IoServerLoad()> server_load;
  BodyLimits limits() const { return {options.max_body, options.max_json_depth}; }
};

struct Exchange {
  Poco::Net::HTTPServerRequest& req;
  Poco::Net::HTTPServerResponse& resp;
  std::vector<std::string> params;  // decoded path parameters, in pattern order
  Principal principal;              // empty for public routes
  engine::Caller caller;            // actor, address, request id; handlers add the reason
};

// Reserves one waiter slot for a long poll or stream of `who`; releases it on destruction.
// status() is ok, or kResourceExhausted with a retry-after (429) when `who` holds
// options.max_waits_per_principal already, or when options.max_waiters are taken in all.
class WaiterSlot {
 public:
  WaiterSlot(ApiServices& s, const Principal& who);
  ~WaiterSlot();
  WaiterSlot(const WaiterSlot&) = delete;
  WaiterSlot& operator=(const WaiterSlot&) = delete;
  const Status& status() const { return status_; }

 private:
  ApiServices& s_;
  std::string key_;
  bool mine_ = false;    // holds one of key_'s
  bool global_ = false;  // holds one of the global count
  Status status_;
};

// The head of a workflow the principal may see (kNotFound for another tenant's): one small
// store read, often from memory (Store::LoadHead: id, type, tenant, status, serial key,
// version), and no rendering, for handlers that may answer from its version alone.
Result<storage::Instance> LoadVisibleInstance(ApiServices& s, const Exchange& ex,
                                              const std::string& id);
// Loads a workflow the principal may see: kNotFound for another tenant's (ids do not leak).
Result<engine::Workflow> GetVisible(ApiServices& s, const Exchange& ex, const std::string& id);

// The serial queues one request has read, by serial key: a list page of many queued
// workflows of one tenant reads that tenant's queue once.
using SerialQueues = std::unordered_map<std::string, std::vector<std::string>>;
// What Engine::ToWorkflow shows as "queued_behind": the id ahead of `inst` in its serial
// queue; "" unless `inst` is queued with a serial key. One store read per serial key not yet
// in `queues`.
Result<std::string> QueuedBehind(ApiServices& s, const storage::Instance& inst,
                                 SerialQueues& queues);

}  // namespace slipway::http
