// http/connection.cc: Connection (see connection.h).
#include "http/connection.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/NetException.h>
#include <time.h>

#include <memory>
#include <string>

#include "http/api_response.h"

namespace slipway::http {

namespace {

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

void SendBadRequest(Poco::Net::HTTPServerSession& session) {
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

Connection::Connection(int fd, Poco::Net::HTTPServerParams::Ptr params)
    : params_(std::move(params)),
      impl_(new BufferedSocketImpl(fd)),
      socket_(impl_),
      session_(socket_, params_),
      fd_(fd) {
  // Poco writes a response's headers and its body in two writes: with Nagle's algorithm on,
  // the body would wait for the peer's (delayed) acknowledgement of the headers.
  try {
    socket_.setNoDelay(true);
  } catch (const Poco::Exception&) {
    // Not a TCP socket: nothing to tune.
  }
}

BufferedSocketImpl::Read Connection::ReadAvailable(size_t max_head) {
  return impl_->ReadAvailable(max_head);
}

RequestKind Connection::Next(size_t max_head) const {
  if (session_.buffered() > 0) return RequestKind::kPool;
  return ClassifyRequest(impl_->inbox(), max_head);
}

bool Connection::ServeOne(Poco::Net::HTTPRequestHandlerFactory& factory, bool stopping) {
  try {
    ApiResponse response(session_);
    Poco::Net::HTTPServerRequestImpl request(response, session_, params_.get());
    response.set_head_request(request.getMethod() == Poco::Net::HTTPRequest::HTTP_HEAD);
    ++served_;
    const int limit = params_->getMaxKeepAliveRequests();
    response.set("Date", HttpDate());
    response.setVersion(request.getVersion());
    response.setKeepAlive(params_->getKeepAlive() && request.getKeepAlive() && !stopping &&
                          (limit <= 0 || served_ < limit));
    std::unique_ptr<Poco::Net::HTTPRequestHandler> handler(factory.createRequestHandler(request));
    if (request.getExpectContinue() && response.getStatus() == Poco::Net::HTTPResponse::HTTP_OK) {
      response.sendContinue();
    }
    handler->handleRequest(request, response);  // catches everything of its own
    return response.getKeepAlive();
  } catch (const Poco::Net::NoMessageException&) {
    return false;  // the peer closed
  } catch (const Poco::Net::MessageException&) {
    SendBadRequest(session_);
    return false;
  } catch (const Poco::Exception&) {
    return false;  // network errors and timeouts end the connection
  } catch (const std::exception&) {
    return false;  // e.g. out of memory while parsing: drop this connection, keep serving
  }
}

void Connection::Shutdown() {
  try {
    socket_.shutdown();
  } catch (const Poco::Exception&) {
    // Already closed by the peer.
  }
}

}  // namespace slipway::http
