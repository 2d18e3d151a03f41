// http/connection.cc: Connection (see connection.h).
#include "http/connection.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/NetException.h>
#include <errno.h>
#include <sys/socket.h>
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

// The answer to a request Poco cannot parse; the connection closes after it. Sent without
// blocking (the loop's thread may be the one sending): if the client does not take it, it
// is gone anyway.
void SendBadRequest(int fd) {
  static const char kBadRequest[] =
      "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
  (void)::send(fd, kBadRequest, sizeof(kBadRequest) - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
}

}  // namespace

Connection::Connection(int fd, Poco::Net::HTTPServerParams::Ptr params,
                       RefusalCounts& refusals)
    : params_(std::move(params)),
      refusals_(refusals),
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
  return ClassifyRequest(impl_->inbox(), max_head);
}

void Connection::SendContinue() {
  static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
  if (continue_sent_) return;
  continue_sent_ = true;
  (void)::send(fd_, kContinue, sizeof(kContinue) - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
}

bool Connection::ServeOne(Poco::Net::HTTPRequestHandlerFactory& factory, bool stopping,
                          bool on_loop, size_t size) {
  impl_->Fence(size);
  const bool keep = ServeFenced(factory, stopping, on_loop);
  impl_->EndFence();
  chunks_ = ChunkCursor();
  continue_sent_ = false;
  return keep;
}

bool Connection::ServeFenced(Poco::Net::HTTPRequestHandlerFactory& factory, bool stopping,
                             bool on_loop) {
  try {
    ApiResponse response(session_);
    if (on_loop) response.set_outbox(&outbox_);
    Poco::Net::HTTPServerRequestImpl request(response, session_, params_.get());
    response.set_head_request(request.getMethod() == Poco::Net::HTTPRequest::HTTP_HEAD);
    ++served_;
    const int limit = params_->getMaxKeepAliveRequests();
    response.set("Date", HttpDate());
    response.setVersion(request.getVersion());
    response.setKeepAlive(params_->getKeepAlive() && request.getKeepAlive() && !stopping &&
                          (limit <= 0 || served_ < limit));
    std::unique_ptr<Poco::Net::HTTPRequestHandler> handler(factory.createRequestHandler(request));
    if (request.getExpectContinue() && !continue_sent_ &&
        response.getStatus() == Poco::Net::HTTPResponse::HTTP_OK) {
      response.sendContinue();
    }
    handler->handleRequest(request, response);  // catches everything of its own
    // What Poco buffered and the handler did not read is this request's (the fence kept the
    // next one out of reach): dropped.
    session_.DropBuffered();
    // On the loop: out now as far as the socket takes it; the loop sends the rest.
    if (on_loop && has_outbox() && FlushOutbox() == Flush::kFailed) return false;
    return response.getKeepAlive();
  } catch (const Poco::Net::NoMessageException&) {
    return false;  // the peer closed
  } catch (const Poco::Net::MessageException&) {
    refusals_.Count(RefusalReason::kBadRequest);
    SendBadRequest(fd_);
    return false;
  } catch (const Poco::Exception&) {
    return false;  // network errors and timeouts end the connection
  } catch (const std::exception&) {
    return false;  // e.g. out of memory while parsing: drop this connection, keep serving
  }
}

bool Connection::DiscardInput() {
  char chunk[16384];
  for (;;) {
    const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), MSG_DONTWAIT);
    if (n > 0) {
      if (static_cast<size_t>(n) >= discard_left) return false;
      discard_left -= static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
}

Connection::Flush Connection::FlushOutbox() {
  while (outbox_off_ < outbox_.size()) {
    const ssize_t n = ::send(fd_, outbox_.data() + outbox_off_, outbox_.size() - outbox_off_,
                             MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      outbox_off_ += static_cast<size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return Flush::kPending;
    } else {
      return Flush::kFailed;
    }
  }
  outbox_.clear();
  outbox_off_ = 0;
  return Flush::kDone;
}

}  // namespace slipway::http
