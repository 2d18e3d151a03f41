// http/io_server.h: the HTTP server's threads: a few event loops over epoll that hold every
// open connection, and a pool for requests that may block.
//
// A loop reads what clients send without blocking and looks at each request head before
// anything parses it (request_head.h): a status poll or another quick GET is parsed and
// answered by Poco right there on the loop's thread (no hand-off, no thread per connection);
// writes, long polls, streams and whatever else may wait go to the WorkerPool, and the
// connection comes back to its loop when that request is answered. An idle keep-alive
// connection costs a map entry, not a thread. Partial request heads wait in the connection's
// inbox, so a slow client holds no thread either; an answer the client does not take at once
// waits in its outbox (api_response.h), and that client's next request is read only once the
// outbox is empty, so a client that stops reading holds up nobody else.
//
// Loop 0 accepts and deals connections out to the loops in turn; a connection beyond the caps
// in total or from one client address (front_door.h) is refused on the spot (503, closed). A
// request head must be whole within head_timeout of its first byte (of the accept, for a
// connection that sends nothing): one trickled line by line is cut there (408, closed),
// however often its bytes arrive. A head longer than max_head is answered 431 on the loop and
// the connection closed: heads reach Poco, and the pool, only once they are whole and within
// bounds. A request for the pool goes there only once its body has all arrived too: the loop
// reads it (sending "100 Continue" when asked) within body_timeout of the head (408, closed),
// answers a body longer than max_body 413 and malformed framing 400 (request_body.h), and
// holds at most max_body_buffer body bytes across all connections (503 beyond). A pool thread
// then reads only that request's bytes from memory (buffered_socket.h): however slowly a
// client sends, it never holds a thread. A connection idle longer than the keep-alive timeout
// (no request, or no progress draining its outbox) is closed. If the pool is full (every
// thread busy and its queue full), the request gets 503 and the connection closes. Every
// refusal is counted by reason (refusals.h).
//
// Thread-safety: Start and Stop from one controlling thread; load() from any thread.
#pragma once

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "http/front_door.h"
#include "http/refusals.h"
#include "http/worker_pool.h"

namespace slipway::http {

struct IoServerOptions {
  int loops = 2;                  // event loop threads
  size_t max_head = 16 * 1024;    // a longer request head is answered 431
  std::chrono::milliseconds keep_alive_timeout{5'000};
  std::chrono::milliseconds head_timeout{10'000};  // a whole request head, from its first byte
  int max_connections = 0;                         // open at once; 0 = no cap
  int max_connections_per_address = 0;             // from one client address; 0 = no cap
  std::chrono::milliseconds body_timeout{10'000};  // a whole request body, from its head
  size_t max_body = 1 << 20;                       // a longer body is answered 413
  size_t max_body_buffer = 64 << 20;  // body bytes the loops hold at once, all connections
  RefusalCounts* refusals = nullptr;  // where refusals are counted; null: the server's own
  WorkerPoolOptions pool;
};

// What /healthz reports about the server's capacity.
struct IoServerLoad {
  int connections = 0;
  int max_connections = 0;  // 0 = no cap
  bool connections_full = false;  // the total cap is reached
  bool pool_full = false;         // a request for the pool would be refused now
};

class IoLoop;

class IoServer {
 public:
  // `listen_fd`: a bound, listening socket; the server closes it on Stop. The factory and
  // params must outlive the server.
  IoServer(int listen_fd, Poco::Net::HTTPRequestHandlerFactory& factory,
           Poco::Net::HTTPServerParams::Ptr params, IoServerOptions options);
  ~IoServer();  // Stop()s
  IoServer(const IoServer&) = delete;
  IoServer& operator=(const IoServer&) = delete;

  void Start();
  // Stops accepting and closes the listening socket, closes idle connections, lets each
  // request being served finish (its connection then closes), and joins every thread.
  // Long polls and streams must notice the stop on their own (ApiServices::stopping).
  void Stop();
  IoServerLoad load() const;
  // Where this server counts its refusals (options.refusals, or its own).
  const RefusalCounts& refusals() const { return *refusals_; }

 private:
  friend class IoLoop;

  // Counts `bytes` more of buffered bodies; false (nothing counted) beyond max_body_buffer.
  bool ReserveBody(int64_t bytes);
  void ReleaseBody(int64_t bytes) { body_bytes_.fetch_sub(bytes); }

  int listen_fd_;
  Poco::Net::HTTPRequestHandlerFactory& factory_;
  Poco::Net::HTTPServerParams::Ptr params_;
  const IoServerOptions options_;
  RefusalCounts own_refusals_;
  RefusalCounts* refusals_;
  std::atomic<int64_t> body_bytes_{0};
  ConnectionLimiter limiter_;  // before loops_: their connections hold tickets of it
  WorkerPool pool_;
  std::vector<std::unique_ptr<IoLoop>> loops_;
  std::atomic<bool> stopping_{false};
  bool started_ = false;
};

}  // namespace slipway::http
