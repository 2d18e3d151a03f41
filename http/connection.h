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
#include "http/refusals.h"
#include "http/request_body.h"
#include "http/request_head.h"

namespace slipway::http {

class Connection {
 public:
  // Takes over an accepted socket descriptor (blocking mode). `refusals` (counts the 400s
  // Poco's parser makes) must outlive the connection.
  Connection(int fd, Poco::Net::HTTPServerParams::Ptr params, RefusalCounts& refusals);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  int fd() const { return fd_; }
  // Reads what has arrived without waiting (see BufferedSocketImpl::ReadAvailable).
  BufferedSocketImpl::Read ReadAvailable(size_t max_head);
  // What serving the next request needs, judged on the inbox (ServeOne puts back whatever
  // Poco read ahead, so a pipelined request is judged like any other).
  RequestKind Next(size_t max_head) const;
  // Whether bytes of a next request wait in the inbox, and how many.
  bool has_input() const { return !impl_->inbox().empty(); }
  size_t input_size() const { return impl_->inbox().size(); }
  // How much of the next request (its head whole: Next() said kInline or kPool) is here;
  // a chunked body's scan goes on from where the last call for this request stopped.
  RequestExtent MeasureNext(size_t max_body) {
    return MeasureRequest(impl_->inbox(), max_body, &chunks_);
  }
  // Tells a client that waits for it to send its body ("Expect: 100-continue"), once per
  // request, without blocking.
  void SendContinue();
  // Serves the next request, whose `size` bytes (MeasureNext) are all in the inbox: Poco
  // reads only those, so this never waits for the client (it may wait for the engine: pool
  // threads only, unless Next() said kInline). False when the connection must close: the
  // client asked for it, the request was malformed (400 sent), the network failed,
  // `stopping`, or it reached the keep-alive request limit. `on_loop`: a whole response the
  // socket does not take at once waits in the outbox instead of blocking the thread.
  bool ServeOne(Poco::Net::HTTPRequestHandlerFactory& factory, bool stopping, bool on_loop,
                size_t size);
  // Reads and drops what has arrived, without waiting, counting it off discard_left. False
  // when the connection should close: the peer closed, it failed, or discard_left ran out.
  bool DiscardInput();
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
  // The head is whole and the body is on its way: it must be whole by body_since + the body
  // timeout; body_held of its bytes count against the loops' body budget.
  bool reading_body = false;
  std::chrono::steady_clock::time_point body_since;
  int64_t body_held = 0;
  size_t body_read_limit = 0;  // the most bytes the request may take (RequestExtent)
  // A refused body: what still arrives is dropped, up to this many bytes, then it closes.
  size_t discard_left = 0;
  AdmissionTicket ticket;  // its place under the connection caps

 private:
  // Poco's session with its read buffer level visible.
  class Session final : public Poco::Net::HTTPServerSession {
   public:
    using HTTPServerSession::HTTPServerSession;
    using HTTPSession::buffered;
    // Drops what Poco buffered and nobody read.
    void DropBuffered() {
      char chunk[4096];
      while (buffered() > 0) {
        if (read(chunk, sizeof(chunk)) <= 0) break;
      }
    }
  };

  bool ServeFenced(Poco::Net::HTTPRequestHandlerFactory& factory, bool stopping, bool on_loop);

  Poco::Net::HTTPServerParams::Ptr params_;
  RefusalCounts& refusals_;
  BufferedSocketImpl* impl_;  // owned by socket_
  Poco::Net::StreamSocket socket_;
  Session session_;
  int fd_;
  int64_t served_ = 0;
  ChunkCursor chunks_;          // of the next request's body
  bool continue_sent_ = false;  // to the next request
  std::string outbox_;  // response bytes the socket has not taken yet (loop mode)
  size_t outbox_off_ = 0;
};

}  // namespace slipway::http
