// http/http_api.cc: HttpApi: socket, server threads, start and graceful stop.
#include "http/http_api.h"

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>

#include <fstream>
#include <sstream>
#include <thread>

#include "http/auth.h"
#include "http/body_cache.h"
#include "http/handler_factory.h"
#include "http/io_server.h"
#include "http/metrics.h"
#include "http/openapi.h"

namespace slipway::http {

namespace {

constexpr int kMinThreads = 128;

Status ValidateOptions(const HttpApiOptions& o) {
  if (o.max_threads < kMinThreads) {
    return InvalidArgument("max_threads", "at least 128: long polls and streams hold threads");
  }
  if (o.io_threads < 1) return InvalidArgument("io_threads", "at least 1");
  if (o.max_queued < 0) return InvalidArgument("max_queued", "must not be negative");
  if (o.keep_alive_timeout.count() <= 0) {
    return InvalidArgument("keep_alive_timeout", "must be positive");
  }
  if (o.max_body == 0) return InvalidArgument("max_body", "must be positive");
  if (o.max_json_depth < 2) return InvalidArgument("max_json_depth", "must be at least 2");
  if (o.max_wait_s < 0) return InvalidArgument("max_wait_s", "must not be negative");
  if (o.wait_slice.count() <= 0) return InvalidArgument("wait_slice", "must be positive");
  if (o.head_timeout.count() <= 0) return InvalidArgument("head_timeout", "must be positive");
  if (o.body_timeout.count() <= 0) return InvalidArgument("body_timeout", "must be positive");
  if (o.max_body_buffer < o.max_body) {
    return InvalidArgument("max_body_buffer", "must hold at least one body of max_body bytes");
  }
  if (o.max_connections < 0) return InvalidArgument("max_connections", "must not be negative");
  if (o.max_connections_per_address < 0) {
    return InvalidArgument("max_connections_per_address", "must not be negative");
  }
  if (o.max_waits_per_principal < 1) {
    return InvalidArgument("max_waits_per_principal", "must be at least 1");
  }
  return Status::Ok();
}

// The caps to serve with: the options', or derived from the descriptor limit.
ConnectionCaps CapsFor(const HttpApiOptions& o) {
  rlimit limit{};
  const uint64_t fds = ::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY
                           ? static_cast<uint64_t>(limit.rlim_cur)
                           : 1024;
  ConnectionCaps caps = DefaultConnectionCaps(fds);
  if (o.max_connections > 0) caps.total = o.max_connections;
  if (o.max_connections_per_address > 0) caps.per_address = o.max_connections_per_address;
  return caps;
}

Result<std::string> ReadOpenApi(const std::string& path) {
  if (path.empty()) return std::string(EmbeddedOpenApi());
  std::ifstream in(path);
  if (!in) return NotFound("cannot read the OpenAPI document " + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

ConnectionCaps DefaultConnectionCaps(uint64_t fd_limit) {
  const uint64_t headroom = std::max<uint64_t>(256, fd_limit / 4);
  const uint64_t total = fd_limit > headroom + 64 ? fd_limit - headroom : 64;
  ConnectionCaps caps;
  caps.total = static_cast<int>(std::min<uint64_t>(total, 16384));
  caps.per_address = std::max(16, caps.total / 8);
  return caps;
}

HttpApi::HttpApi(engine::Engine& engine, const TokenStore& tokens, HttpApiOptions options)
    : engine_(engine),
      tokens_(tokens),
      options_(std::move(options)),
      metrics_(std::make_unique<HttpMetrics>()),
      bodies_(std::make_unique<BodyCache>()),
      principal_waits_(std::make_unique<WaitCounts>()),
      api_tokens_(std::make_unique<ApiTokens>(engine.store(), engine.clock())) {}

HttpApi::~HttpApi() { Stop(); }

Status HttpApi::Start() {
  if (server_) return FailedPrecondition("already started");
  SLIPWAY_RETURN_IF_ERROR(ValidateOptions(options_));
  Result<std::string> openapi = ReadOpenApi(options_.openapi_path);
  if (!openapi.ok()) return openapi.status();
  openapi_json_ = *openapi;
  int listen_fd = -1;
  try {
    Poco::Net::ServerSocket socket;
    socket.bind(Poco::Net::SocketAddress(options_.address, options_.port), true);
    socket.listen(256);
    port_ = socket.address().port();
    listen_fd = ::dup(socket.impl()->sockfd());  // the server's own; Poco's closes here
  } catch (const Poco::Exception& e) {
    return Unavailable("cannot listen on " + options_.address + ":" +
                       std::to_string(options_.port) + ": " + e.displayText());
  }
  if (listen_fd < 0) return Unavailable("cannot listen: dup failed");
  auto* params = new Poco::Net::HTTPServerParams;  // shared with the connections (AutoPtr)
  params->setKeepAlive(true);
  params->setTimeout(Poco::Timespan(30, 0));  // a request (head or body) still arriving
  Poco::Net::HTTPServerParams::Ptr params_ptr(params);
  ApiServices services{engine_,   options_, *metrics_,          *bodies_,
                       openapi_json_, stopping_, waiters_, *principal_waits_, *api_tokens_,
                       options_.failpoints,
                       // Read by /healthz on server threads, which run only between
                       // server_->Start() and the joins in Stop().
                       [this] { return server_ ? server_->load() : IoServerLoad{}; }};
  handlers_ = std::make_unique<HandlerFactory>(services, tokens_);
  IoServerOptions io;
  io.loops = options_.io_threads;
  io.keep_alive_timeout = options_.keep_alive_timeout;
  io.head_timeout = options_.head_timeout;
  io.body_timeout = options_.body_timeout;
  io.max_body = options_.max_body;
  io.max_body_buffer = options_.max_body_buffer;
  io.refusals = &metrics_->refusals();
  const ConnectionCaps caps = CapsFor(options_);
  io.max_connections = caps.total;
  io.max_connections_per_address = caps.per_address;
  io.pool.max_threads = options_.max_threads;
  io.pool.max_queued = static_cast<size_t>(options_.max_queued);
  server_ = std::make_unique<IoServer>(listen_fd, *handlers_, params_ptr, io);
  server_->Start();
  return Status::Ok();
}

int HttpApi::open_connections() const { return server_ ? server_->load().connections : 0; }

void HttpApi::Stop() {
  if (!server_) return;
  // Long polls and streams notice this within wait_slice; everything else finishes its
  // request, then its connection closes.
  stopping_ = true;
  server_->Stop();
  server_.reset();
}

}  // namespace slipway::http
