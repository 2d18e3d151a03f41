// http/http_api.cc: HttpApi: socket, Poco server and thread pool, start and graceful stop.
#include "http/http_api.h"

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/ThreadPool.h>
#include <sys/socket.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "http/auth.h"
#include "http/body_cache.h"
#include "http/connection.h"
#include "http/handler_factory.h"
#include "http/metrics.h"
#include "http/openapi.h"

namespace slipway::http {

namespace {

constexpr int kMinThreads = 128;

Status ValidateOptions(const HttpApiOptions& o) {
  if (o.max_threads < kMinThreads) {
    return InvalidArgument("max_threads", "at least 128: long polls and streams hold threads");
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
  try {
    Poco::Net::ServerSocket socket;
    socket.bind(Poco::Net::SocketAddress(options_.address, options_.port), true);
    socket.listen(256);
    port_ = socket.address().port();
    auto* params = new Poco::Net::HTTPServerParams;  // owned by the server (AutoPtr)
    params->setMaxThreads(options_.max_threads);
    params->setMaxQueued(options_.max_queued);
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(5, 0));
    params->setTimeout(Poco::Timespan(30, 0));
    Poco::Net::HTTPServerParams::Ptr params_ptr(params);
    pool_ = std::make_unique<Poco::ThreadPool>(4, options_.max_threads);
    ApiServices services{engine_,       options_,  *metrics_, *bodies_,
                         openapi_json_, stopping_, waiters_,  options_.failpoints};
    handlers_ = std::make_unique<HandlerFactory>(services, tokens_);
    connections_ = std::make_unique<ConnectionRegistry>();
    server_ = std::make_unique<Poco::Net::TCPServer>(
        new ApiConnectionFactory(*handlers_, params_ptr, *connections_), *pool_, socket,
        params_ptr);
    server_->start();
  } catch (const Poco::Exception& e) {
    server_.reset();
    pool_.reset();
    return Unavailable("cannot listen on " + options_.address + ":" +
                       std::to_string(options_.port) + ": " + e.displayText());
  }
  return Status::Ok();
}

void HttpApi::Stop() {
  if (!server_) return;
  stopping_ = true;
  // Poco's acceptor looks at its stop flag between 250 ms polls of the listening socket; a
  // shutdown of that socket ends the poll at once, so a stop (and every test) is that much
  // quicker.
  std::thread stopper([this] { server_->stop(); });
  ::shutdown(server_->socket().impl()->sockfd(), SHUT_RDWR);
  stopper.join();
  // Then each connection once its current request is done (long polls and streams notice
  // stopping_ within wait_slice).
  connections_->ShutdownAll();
  pool_->joinAll();
  server_.reset();
  pool_.reset();
}

}  // namespace slipway::http
