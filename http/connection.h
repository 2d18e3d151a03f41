// http/connection.h: the server side of one HTTP/1.1 keep-alive connection, in place of Poco's
// HTTPServerConnection; and the registry of open connections that a stop shuts down.
// Internal to http/.
//
// Why not Poco's (1.11): it waits for each next request with SocketImpl::poll, which creates,
// registers and closes an epoll instance per call (four system calls per request: a sixth of
// the server's CPU when status polls come in fast); here one plain poll(2) waits. And its stop
// (HTTPServer::stopAll and the serverStopped event) races with connections being destroyed
// (ThreadSanitizer reports it); here a stop goes through ConnectionRegistry under its mutexes.
// Requests are still parsed and answered by Poco (HTTPServerRequestImpl/ResponseImpl) and
// handled by the HandlerFactory's DispatchingHandler.
//
// Thread-safety: an ApiConnection runs on one pool thread; the registry is thread-safe.
#pragma once

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <set>

namespace slipway::http {

class ConnectionRegistry {
 public:
  struct Live {
    std::mutex mu;  // held while a request is being served
    Poco::Net::StreamSocket socket;
  };
  // Registers a connection; nullptr when the server is already stopping.
  std::shared_ptr<Live> Add(const Poco::Net::StreamSocket& socket);
  void Remove(const std::shared_ptr<Live>& live);
  // Marks the server stopping and shuts down every open connection: idle ones at once, busy
  // ones as soon as their current request is answered (long polls and streams end early on
  // their own when the server stops). Connections registered later are refused.
  void ShutdownAll();
  bool stopping() const { return stopping_.load(); }

 private:
  std::mutex mu_;
  std::set<std::shared_ptr<Live>> live_;  // guarded by mu_
  std::atomic<bool> stopping_{false};
};

class ApiConnection final : public Poco::Net::TCPServerConnection {
 public:
  ApiConnection(const Poco::Net::StreamSocket& socket,
                Poco::Net::HTTPRequestHandlerFactory& factory,
                Poco::Net::HTTPServerParams::Ptr params, ConnectionRegistry& registry);
  void run() override;

 private:
  Poco::Net::HTTPRequestHandlerFactory& factory_;
  Poco::Net::HTTPServerParams::Ptr params_;
  ConnectionRegistry& registry_;
};

class ApiConnectionFactory final : public Poco::Net::TCPServerConnectionFactory {
 public:
  ApiConnectionFactory(Poco::Net::HTTPRequestHandlerFactory& factory,
                       Poco::Net::HTTPServerParams::Ptr params, ConnectionRegistry& registry)
      : factory_(factory), params_(std::move(params)), registry_(registry) {}
  Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override {
    return new ApiConnection(socket, factory_, params_, registry_);
  }

 private:
  Poco::Net::HTTPRequestHandlerFactory& factory_;
  Poco::Net::HTTPServerParams::Ptr params_;
  ConnectionRegistry& registry_;
};

}  // namespace slipway::http
