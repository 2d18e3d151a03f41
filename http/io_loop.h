// http/io_loop.h: one event loop of the IoServer (io_server.h): an epoll thread and the
// connections it owns. io_loop.cc holds the loop itself (events, accepting, reading, writing,
// closing); io_loop_requests.cc what it does with requests (serving on the loop, waiting for
// bodies, handing whole requests to the pool, refusals, deadlines). Internal to http/.
//
// Thread-safety: everything runs on the loop's own thread, except Adopt, Return and Wake (any
// thread) and Start/Join (the server's controlling thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "http/connection.h"
#include "http/front_door.h"
#include "http/io_server.h"
#include "http/refusals.h"

namespace slipway::http {

class IoLoop {
 public:
  using Clock = std::chrono::steady_clock;

  IoLoop(IoServer& server, bool accepts);
  ~IoLoop();

  void Start(int index);
  void Join();
  // Any thread: a newly accepted descriptor for this loop, with its place under the caps.
  void Adopt(int fd, AdmissionTicket ticket) { Post({fd, nullptr, false, std::move(ticket)}); }
  // A pool thread: its request is answered; `keep` = the connection stays open.
  void Return(Connection* c, bool keep) { Post({-1, c, keep, AdmissionTicket()}); }
  void Wake();

 private:
  struct Event {
    int fd;         // adopt this descriptor, or
    Connection* c;  // take this connection back from the pool
    bool keep;
    AdmissionTicket ticket;  // of the descriptor to adopt
  };

  // io_loop.cc
  void Post(Event e);
  bool stopping() const { return server_.stopping_.load(); }
  void Run();
  void TakePending();
  void AdoptHere(int fd, AdmissionTicket ticket);
  void Accept();
  void PauseAccepting();
  void ResumeAccepting();
  void OnReadable(Connection* c);
  void OnWritable(Connection* c);
  bool Watch(Connection* c, uint32_t events);
  void Close(Connection* c);
  void BeginStop();

  // io_loop_requests.cc
  void Drive(Connection* c);
  void StartHead(Connection* c);
  void ToPoolWhenWhole(Connection* c);
  bool AwaitBody(Connection* c, const RequestExtent& e);
  void EndBody(Connection* c);
  void Discard(Connection* c);
  size_t WholePoolRequest(Connection* c);
  void ToPool(Connection* c, size_t size);
  void Refuse(int fd, Refusal which, RefusalReason reason);
  void CloseIdle(Clock::time_point now);

  IoServer& server_;
  const bool accepts_;
  const std::chrono::milliseconds sweep_every_;
  const int epfd_;
  const int wakefd_;
  std::thread thread_;
  std::mutex mu_;
  std::vector<Event> pending_;  // guarded by mu_
  // Loop thread only:
  std::unordered_map<Connection*, std::unique_ptr<Connection>> conns_;
  std::vector<std::unique_ptr<Connection>> closed_;  // closed during the current batch
  size_t next_loop_ = 0;
  bool accept_paused_ = false;
};

}  // namespace slipway::http
