// http/connection.h: one keep-alive HTTP/1.1 connection of the server: its socket (with the
// inbox the event loop fills, buffered_socket.h), Poco's session on it, and serving one
// request at a time through Poco's request and response objects and the HandlerFactory's
// dispatcher. Used by the event loop and its pool (io_server.h). Internal to http/.
//
// Why not Poco's HTTPServerConnection (1.11): it holds a thread per connection for the
// connection's whole life and waits for each next request with SocketImpl::poll, which creates,
// registers and closes an epoll instance per call; and its stop races with connections being
// destroyed (ThreadSanitizer reports it). Requests are still parsed and answered by Poco.
//
// Thread-safety: one thread at a time (the loop hands a connection to a pool thread and back).
#pragma once

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/StreamSocket.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "http/buffered_socket.h"
#include "http/front_door.h"
#include "http/request_head.h"

namespace slipway::http {

class Connection {
 public:
  // Takes over an accepted socket descriptor (blocking mode).
  Connection(int fd, Poco::Net::HTTPServerParams::Ptr params);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  int fd() const { return fd_; }
  // Reads what has arrived without waiting (see BufferedSocketImpl::ReadAvailable).
  BufferedSocketImpl::Read ReadAvailable(size_t max_head);
  // What serving the next request needs, judged on the inbox (ServeOne puts back whatever
  // Poco read ahead, so a pipelined request is judged like any other).
  RequestKind Next(size_t max_head) const;
  // Whether bytes of a next request wait in the inbox.
  bool has_input() const { return !impl_->inbox().empty(); }
  // Serves one request, reading what of it has not arrived yet (blocking: pool threads only,
  // unless Next() said kInline). False when the connection must close: the client asked for
  // it, the request was malformed (400 sent), the network failed, `stopping`, or it reached
  // the keep-alive request limit. `on_loop`: a whole response the socket does not take at
  // once waits in the outbox instead of blocking the thread.
  bool ServeOne(Poco::Net::HTTPRequestHandlerFactory& factory, bool stopping, bool on_loop);
  // Sends what waits in the outbox without blocking.
  enum class Flush { kDone, kPending, kFailed };
  Flush FlushOutbox();
  bool has_outbox() const { return outbox_off_ < outbox_.size(); }

  // Bookkeeping of the loop that owns the connection (its thread only).
  std::chrono::steady_clock::time_point last_active;
  bool busy = false;     // on a pool thread
  bool closed = false;   // closed by the loop; freed after its current batch of events
  uint32_t interest = 0;  // the epoll events the loop watches for
  bool close_after_flush = false;
  // A request head is on its way (since accept, or since its first byte): it must be whole
  // by head_since + the head timeout.
  bool reading_head = true;
  std::chrono::steady_clock::time_point head_since;
  AdmissionTicket ticket;  // its place under the connection caps

 private:
  // Poco's session with its read buffer level visible: bytes read ahead (pipelining).
  class Session final : public Poco::Net::HTTPServerSession {
   public:
    using HTTPServerSession::HTTPServerSession;
    using HTTPSession::buffered;
    // Takes what Poco read ahead of the request it parsed.
    std::string TakeBuffered() {
      std::string out;
      char chunk[4096];
      while (buffered() > 0) {
        const int n = read(chunk, sizeof(chunk));
        if (n <= 0) break;
        out.append(chunk, static_cast<size_t>(n));
      }
      return out;
    }
  };

  Poco::Net::HTTPServerParams::Ptr params_;
  BufferedSocketImpl* impl_;  // owned by socket_
  Poco::Net::StreamSocket socket_;
  Session session_;
  int fd_;
  int64_t served_ = 0;
  std::string outbox_;  // response bytes the socket has not taken yet (loop mode)
  size_t outbox_off_ = 0;
};

}  // namespace slipway::http
