// http/http_api.h: HttpApi, the HTTP facade of the engine on Poco Net.
//
// Owns the listening socket and the IoServer (io_server.h): event loops that hold the
// connections and answer status polls themselves, and a pool for requests that may block.
// Borrows the Engine and the TokenStore, which must outlive it. Endpoints and roles: see
// router.cc, auth.h and docs/openapi.json.
//
// Threads: io_threads loops; long polls and streams hold a pool thread each, so max_threads
// is at least 128 and at most max_waiters of them may wait at once, at most
// max_waits_per_principal of them for one token (429 beyond either). Start() and Stop() are
// called from one controlling thread; everything else is thread-safe.
//
// The front door (io_server.h, front_door.h): a request head must be whole within
// head_timeout (408), at most 16 KiB (431); its body whole within body_timeout of it (408),
// read by the event loops before a pool thread sees the request, at most max_body (413);
// connections beyond max_connections, or beyond max_connections_per_address from one client
// address, are refused (503); idle keep-alive connections count. GET /healthz answers 503
// naming why when the API cannot serve. Every refusal is counted by reason in /metrics.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/base/failpoints.h"
#include "engine/base/status.h"
#include "engine/engine.h"

namespace slipway::http {

class TokenStore;
class HttpMetrics;
class BodyCache;
class HandlerFactory;
class IoServer;
class WaitCounts;
class ApiTokens;

// The tenant a repository's webhook deliveries belong to (POST /v1/webhooks/github).
struct WebhookTenant {
  std::string tenant;
  std::string secret;         // the HMAC key of X-Hub-Signature-256; never logged
  std::string editor_branch;  // pushes to it deploy; "" while the tenant is not onboarded
};
// Finds it by repository full name ("owner/name"); kNotFound when no tenant has that
// repository. Called on server threads.
using WebhookTenantLookup = std::function<Result<WebhookTenant>(const std::string& full_name)>;

struct HttpApiOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;   // 0 = an ephemeral port (see HttpApi::port())
  int io_threads = 2;     // event loops: connections, status polls and other quick GETs
  int max_threads = 128;  // pool; at least 128: long polls and streams hold a thread each
  int max_queued = 256;   // requests waiting for a pool thread (503 beyond)
  std::chrono::milliseconds keep_alive_timeout{5'000};  // an idle connection is closed after
  std::chrono::milliseconds head_timeout{10'000};  // a whole request head, from its first byte
  std::chrono::milliseconds body_timeout{10'000};  // a whole request body, from its head (408)
  size_t max_body_buffer = 64 << 20;  // body bytes the event loops hold at once (503 beyond)
  int max_connections = 0;              // open at once; 0 = DefaultConnectionCaps
  int max_connections_per_address = 0;  // from one client address; 0 = DefaultConnectionCaps
  int max_waiters = 0;    // concurrent long polls + streams; 0 = max_threads - 16
  int max_waits_per_principal = 16;  // of those, for one token
  size_t max_body = 1 << 20;
  int max_json_depth = 32;
  int max_wait_s = 60;  // upper bound of ?wait=
  // Workflow types a tenant token may start.
  std::vector<std::string> tenant_start_types = {"deployment"};
  // The OpenAPI document served at /v1/openapi.json: "" = the one embedded at build time.
  std::string openapi_path;
  // How often long polls and streams look at shutdown, and streams send a keep-alive comment.
  std::chrono::milliseconds wait_slice{500};
  std::chrono::milliseconds stream_heartbeat{15'000};
  // Receives one-line JSON log records (errors the server swallowed, e.g. an exception that
  // escaped a handler). Null: they go to stderr. Called on server threads; never given
  // tokens or bodies.
  std::function<void(const std::string& line)> log;
  // GitHub webhook deliveries: who signs for a repository. Null: the endpoint answers 404.
  WebhookTenantLookup webhook_tenants;
  // The LLM budgets' state (activities/llm_budget.h State()), shown as "llm_budget" in
  // GET /v1/stats and as slipway_llm_budget_* in /metrics. Null: not shown.
  std::function<nlohmann::json()> llm_budget_state;
  // Every tenant's record, as a JSON array of objects with "tenant" (slipwayd:
  // workflows/tenant_records.h), for GET /v1/tenants. Null: that route answers 404.
  std::function<Result<nlohmann::json>()> tenants;
  // Failpoints (may be null). "http.dispatch.throw" armed makes the dispatcher throw as a
  // buggy handler would (tests of the one catch-all).
  Failpoints* failpoints = nullptr;
};

// Connection caps for a process that may open `fd_limit` descriptors (RLIMIT_NOFILE): the
// total leaves a quarter (at least 256) for SQLite, builds, curl and the rest, and is at most
// 16384; one client address may hold an eighth of it (at least 16).
struct ConnectionCaps {
  int total;
  int per_address;
};
ConnectionCaps DefaultConnectionCaps(uint64_t fd_limit);

class HttpApi {
 public:
  HttpApi(engine::Engine& engine, const TokenStore& tokens, HttpApiOptions options);
  ~HttpApi();  // Stop()s
  HttpApi(const HttpApi&) = delete;
  HttpApi& operator=(const HttpApi&) = delete;

  // Binds and starts serving. kInvalidArgument (options), kUnavailable (cannot bind),
  // kNotFound (openapi_path unreadable).
  Status Start();
  // Stops accepting, ends long polls and streams early, lets in-flight requests finish, then
  // returns. Idempotent.
  void Stop();
  // The bound port (after Start).
  uint16_t port() const { return port_; }
  // Requests currently in a long poll or stream (for tests and metrics).
  int active_waiters() const { return waiters_.load(); }
  // Connections open now (for tests).
  int open_connections() const;

 private:
  engine::Engine& engine_;
  const TokenStore& tokens_;
  HttpApiOptions options_;
  std::string openapi_json_;
  std::unique_ptr<HttpMetrics> metrics_;
  std::unique_ptr<BodyCache> bodies_;
  std::unique_ptr<ApiTokens> api_tokens_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> waiters_{0};
  std::unique_ptr<WaitCounts> principal_waits_;
  std::unique_ptr<HandlerFactory> handlers_;
  std::unique_ptr<IoServer> server_;
  uint16_t port_ = 0;
};

}  // namespace slipway::http
