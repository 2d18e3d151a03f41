// http/http_api.cc: HttpApi: socket, server threads, start and graceful stop.
#include "http/http_api.h"

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <unistd.h>

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
  return Status::Ok();
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

HttpApi::HttpApi(engine::Engine& engine, const TokenStore& tokens, HttpApiOptions options)
    : engine_(engine),
      tokens_(tokens),
      options_(std::move(options)),
      metrics_(std::make_unique<HttpMetrics>()),
      bodies_(std::make_unique<BodyCache>()) {}

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
  ApiServices services{engine_,       options_,  *metrics_, *bodies_,
                       openapi_json_, stopping_, waiters_,  options_.failpoints};
  handlers_ = std::make_unique<HandlerFactory>(services, tokens_);
  IoServerOptions io;
  io.loops = options_.io_threads;
  io.keep_alive_timeout = options_.keep_alive_timeout;
  io.pool.max_threads = options_.max_threads;
  io.pool.max_queued = static_cast<size_t>(options_.max_queued);
  server_ = std::make_unique<IoServer>(listen_fd, *handlers_, params_ptr, io);
  server_->Start();
  return Status::Ok();
}

void HttpApi::Stop() {
  if (!server_) return;
  // Long polls and streams notice this within wait_slice; everything else finishes its
  // request, then its connection closes.
  stopping_ = true;
  server_->Stop();
  server_.reset();
}

}  // namespace slipway::http
