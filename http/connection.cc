// http/connection.cc: ApiConnection and ConnectionRegistry (see connection.h).
#include "http/connection.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/NetException.h>
#include <errno.h>
#include <poll.h>
#include <time.h>

#include <string>

namespace slipway::http {

namespace {

// HTTPServerSession with its read buffer level visible: a request already buffered needs no
// wait.
class Session final : public Poco::Net::HTTPServerSession {
 public:
  using HTTPServerSession::HTTPServerSession;
  using HTTPSession::buffered;
};

// True when the next request can be read: bytes are buffered or arrive within `timeout`, or the
// peer closed or the registry shut the socket down (the read then ends the loop).
bool WaitForRequest(Session& session, const Poco::Timespan& timeout) {
  if (session.buffered() > 0) return true;
  pollfd p{session.socket().impl()->sockfd(), POLLIN, 0};
  for (;;) {
    const int rc = ::poll(&p, 1, static_cast<int>(timeout.totalMilliseconds()));
    if (rc < 0 && errno == EINTR) continue;
    return rc > 0;
  }
}

// The Date header, formatted at most once a second per thread.
const std::string& HttpDate() {
  thread_local time_t last = 0;
  thread_local std::string text;
  const time_t now = ::time(nullptr);
  if (now != last) {
    struct tm tm {};
    gmtime_r(&now, &tm);
    char buf[64];
    strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    text = buf;
    last = now;
  }
  return text;
}

void SendBadRequest(Session& session) {
  try {
    Poco::Net::HTTPServerResponseImpl response(session);
    response.setVersion(Poco::Net::HTTPMessage::HTTP_1_1);
    response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_BAD_REQUEST);
    response.setKeepAlive(false);
    response.send();
  } catch (const Poco::Exception&) {
    // The peer is gone or sent garbage: nothing more to do.
  }
}

}  // namespace

std::shared_ptr<ConnectionRegistry::Live> ConnectionRegistry::Add(
    const Poco::Net::StreamSocket& socket) {
  auto live = std::make_shared<Live>();
  live->socket = socket;
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_.load()) return nullptr;
  live_.insert(live);
  return live;
}

void ConnectionRegistry::Remove(const std::shared_ptr<Live>& live) {
  std::lock_guard<std::mutex> lock(mu_);
  live_.erase(live);
}

void ConnectionRegistry::ShutdownAll() {
  std::lock_guard<std::mutex> lock(mu_);
  stopping_ = true;
  for (const auto& live : live_) {
    std::lock_guard<std::mutex> busy(live->mu);  // waits for a request being served
    try {
      live->socket.shutdown();
    } catch (const Poco::Exception&) {
      // Already closed by the peer.
    }
  }
}

ApiConnection::ApiConnection(const Poco::Net::StreamSocket& socket,
                             Poco::Net::HTTPRequestHandlerFactory& factory,
                             Poco::Net::HTTPServerParams::Ptr params, ConnectionRegistry& registry)
    : TCPServerConnection(socket),
      factory_(factory),
      params_(std::move(params)),
      registry_(registry) {}

void ApiConnection::run() {
  std::shared_ptr<ConnectionRegistry::Live> live = registry_.Add(socket());
  if (!live) return;
  // Poco sends a response's headers and its body in two writes: with Nagle's algorithm on,
  // the body would wait for the peer's (delayed) acknowledgement of the headers.
  try {
    socket().setNoDelay(true);
  } catch (const Poco::Exception&) {
    // Not a TCP socket (tests may use others): nothing to tune.
  }
  Session session(socket(), params_);
  // Poco's own wait, once: it also arms the session's keep-alive request count (canKeepAlive).
  bool more = session.hasMoreRequests();
  for (; more; more = WaitForRequest(session, params_->getKeepAliveTimeout())) {
    try {
      std::lock_guard<std::mutex> lock(live->mu);
      if (registry_.stopping()) break;
      Poco::Net::HTTPServerResponseImpl response(session);
      Poco::Net::HTTPServerRequestImpl request(response, session, params_.get());
      response.set("Date", HttpDate());
      response.setVersion(request.getVersion());
      response.setKeepAlive(params_->getKeepAlive() && request.getKeepAlive() &&
                            session.canKeepAlive());
      std::unique_ptr<Poco::Net::HTTPRequestHandler> handler(
          factory_.createRequestHandler(request));
      if (request.getExpectContinue() && response.getStatus() == Poco::Net::HTTPResponse::HTTP_OK) {
        response.sendContinue();
      }
      handler->handleRequest(request, response);  // catches everything of its own
      if (!response.getKeepAlive()) break;
    } catch (const Poco::Net::NoMessageException&) {
      break;  // the peer closed, or the registry shut the socket down
    } catch (const Poco::Net::MessageException&) {
      SendBadRequest(session);
      break;
    } catch (const Poco::Exception&) {
      break;  // network errors and timeouts end the connection
    }
  }
  registry_.Remove(live);
}

}  // namespace slipway::http
