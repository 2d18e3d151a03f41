// http/io_server.cc: IoServer: its loops, its pool and stopping them (see io_server.h).
#include "http/io_server.h"

#include <fcntl.h>
#include <unistd.h>

#include "http/io_loop.h"

namespace slipway::http {

IoServer::IoServer(int listen_fd, Poco::Net::HTTPRequestHandlerFactory& factory,
                   Poco::Net::HTTPServerParams::Ptr params, IoServerOptions options)
    : listen_fd_(listen_fd),
      factory_(factory),
      params_(std::move(params)),
      options_(std::move(options)),
      refusals_(options_.refusals != nullptr ? options_.refusals : &own_refusals_),
      limiter_(options_.max_connections, options_.max_connections_per_address),
      pool_(options_.pool) {
  const int flags = fcntl(listen_fd_, F_GETFL, 0);
  fcntl(listen_fd_, F_SETFL, flags | O_NONBLOCK);
  const int n = options_.loops < 1 ? 1 : options_.loops;
  for (int i = 0; i < n; ++i) loops_.push_back(std::make_unique<IoLoop>(*this, i == 0));
}

IoServer::~IoServer() { Stop(); }

bool IoServer::ReserveBody(int64_t bytes) {
  const int64_t cap = static_cast<int64_t>(options_.max_body_buffer);
  if (body_bytes_.fetch_add(bytes) + bytes <= cap) return true;
  body_bytes_.fetch_sub(bytes);
  return false;
}

IoServerLoad IoServer::load() const {
  IoServerLoad l;
  l.connections = limiter_.open();
  l.max_connections = limiter_.max_total();
  l.connections_full = limiter_.full();
  l.pool_full = pool_.full();
  return l;
}

void IoServer::Start() {
  if (started_) return;
  started_ = true;
  for (size_t i = 0; i < loops_.size(); ++i) loops_[i]->Start(static_cast<int>(i));
}

void IoServer::Stop() {
  if (!started_ || listen_fd_ < 0) {
    if (listen_fd_ >= 0) ::close(listen_fd_);
    listen_fd_ = -1;
    return;
  }
  stopping_ = true;
  for (auto& loop : loops_) loop->Wake();
  for (auto& loop : loops_) loop->Join();
  pool_.Join();  // after the loops: a pool thread may still be inside IoLoop::Return
  loops_.clear();
  ::close(listen_fd_);
  listen_fd_ = -1;
}

}  // namespace slipway::http
