// http/io_loop.cc: an event loop's thread: events, accepting, reading, writing, closing
// (see io_loop.h).
#include "http/io_loop.h"

#include <errno.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <string>

namespace slipway::http {

namespace {

char kWakeTag;    // epoll data of a loop's eventfd
char kListenTag;  // epoll data of the listening socket

// How often a loop looks for connections past a deadline: a quarter of the shortest one, so
// that a head or body is cut within 1.25 times its timeout; between 10 ms and 500 ms.
std::chrono::milliseconds SweepEvery(const IoServerOptions& o) {
  auto every = std::min({o.keep_alive_timeout, o.head_timeout, o.body_timeout}) / 4;
  return std::clamp(every, std::chrono::milliseconds(10), std::chrono::milliseconds(500));
}

}  // namespace

IoLoop::IoLoop(IoServer& server, bool accepts)
    : server_(server), accepts_(accepts), sweep_every_(SweepEvery(server.options_)),
      epfd_(epoll_create1(EPOLL_CLOEXEC)),
      wakefd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = &kWakeTag;
  epoll_ctl(epfd_, EPOLL_CTL_ADD, wakefd_, &ev);
  if (accepts_) {
    ev.data.ptr = &kListenTag;
    epoll_ctl(epfd_, EPOLL_CTL_ADD, server_.listen_fd_, &ev);
  }
}

IoLoop::~IoLoop() {
  conns_.clear();
  closed_.clear();
  for (const Event& e : pending_) {
    if (e.c == nullptr) ::close(e.fd);  // accepted while this loop was already stopping
  }
  ::close(wakefd_);
  ::close(epfd_);
}

void IoLoop::Start(int index) {
  thread_ = std::thread([this] { Run(); });
  pthread_setname_np(thread_.native_handle(), ("sw-http-io" + std::to_string(index)).c_str());
}

void IoLoop::Join() {
  if (thread_.joinable()) thread_.join();
}

void IoLoop::Wake() {
  const uint64_t one = 1;
  (void)::write(wakefd_, &one, sizeof(one));
}

void IoLoop::Post(Event e) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.push_back(std::move(e));
  }
  Wake();
}

void IoLoop::Run() {
  epoll_event events[64];
  bool stop_seen = false;
  auto next_sweep = Clock::now() + sweep_every_;
  for (;;) {
    const int n = epoll_wait(epfd_, events, 64, static_cast<int>(sweep_every_.count()));
    for (int i = 0; i < n; ++i) {
      void* tag = events[i].data.ptr;
      if (tag == &kWakeTag) {
        uint64_t count;
        (void)::read(wakefd_, &count, sizeof(count));
        TakePending();
      } else if (tag == &kListenTag) {
        Accept();
      } else {
        // An earlier event of this batch may have closed it or handed it to the pool.
        auto* c = static_cast<Connection*>(tag);
        if (c->closed || c->busy) continue;
        if (c->interest & EPOLLOUT) {
          OnWritable(c);
        } else {
          OnReadable(c);
        }
      }
    }
    if (stopping() && !stop_seen) {
      stop_seen = true;
      BeginStop();
    }
    if (stop_seen && conns_.empty()) return;
    const auto now = Clock::now();
    if (now >= next_sweep) {
      CloseIdle(now);
      next_sweep = now + sweep_every_;
    }
    closed_.clear();  // no event of the next batch can point at them
  }
}

void IoLoop::TakePending() {
  std::vector<Event> events;
  {
    std::lock_guard<std::mutex> lock(mu_);
    events.swap(pending_);
  }
  for (Event& e : events) {
    if (e.c == nullptr) {
      AdoptHere(e.fd, std::move(e.ticket));
      continue;
    }
    e.c->busy = false;
    if (!e.keep || stopping()) {
      Close(e.c);
    } else {
      e.c->last_active = Clock::now();
      Drive(e.c);
    }
  }
}

void IoLoop::AdoptHere(int fd, AdmissionTicket ticket) {
  if (stopping()) {
    ::close(fd);
    return;
  }
  std::unique_ptr<Connection> c;
  try {
    c = std::make_unique<Connection>(fd, server_.params_, *server_.refusals_);
  } catch (const std::exception&) {
    return;  // e.g. the peer reset it already; the socket object closed the descriptor
  }
  Connection* raw = c.get();
  raw->ticket = std::move(ticket);
  raw->last_active = raw->head_since = Clock::now();
  conns_.emplace(raw, std::move(c));
  Watch(raw, EPOLLIN);
}

void IoLoop::Accept() {
  for (int i = 0; i < 64; ++i) {
    sockaddr_storage peer{};
    socklen_t len = sizeof(peer);
    const int fd =
        ::accept4(server_.listen_fd_, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE) PauseAccepting();
      return;  // EAGAIN: all taken; anything else: try again on the next readiness
    }
    AdmissionTicket ticket;
    const ConnectionLimiter::Admit admit =
        server_.limiter_.TryAdmit(ConnectionLimiter::AddressKey(peer), ticket);
    if (admit != ConnectionLimiter::Admit::kOk) {
      Refuse(fd, Refusal::kTooManyConnections,
             admit == ConnectionLimiter::Admit::kTotalCap
                 ? RefusalReason::kConnectionsTotalCap
                 : RefusalReason::kConnectionsPerAddressCap);
      ::close(fd);
      continue;
    }
    IoLoop& to = *server_.loops_[next_loop_++ % server_.loops_.size()];
    if (&to == this) {
      AdoptHere(fd, std::move(ticket));
    } else {
      to.Adopt(fd, std::move(ticket));
    }
  }
}

// Out of descriptors: stop watching the listening socket until the next sweep, instead of
// spinning on a readiness that accept() cannot clear.
void IoLoop::PauseAccepting() {
  epoll_ctl(epfd_, EPOLL_CTL_DEL, server_.listen_fd_, nullptr);
  accept_paused_ = true;
}

void IoLoop::ResumeAccepting() {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = &kListenTag;
  if (epoll_ctl(epfd_, EPOLL_CTL_ADD, server_.listen_fd_, &ev) == 0) accept_paused_ = false;
}

void IoLoop::OnReadable(Connection* c) {
  if (c->discard_left > 0) {
    if (!c->DiscardInput()) Close(c);
    return;
  }
  const size_t limit = c->reading_body ? c->body_read_limit : server_.options_.max_head;
  switch (c->ReadAvailable(limit)) {
    case BufferedSocketImpl::Read::kClosed:
      return Close(c);
    case BufferedSocketImpl::Read::kData:
      c->last_active = Clock::now();
      StartHead(c);
      break;
    case BufferedSocketImpl::Read::kNothing:
      break;
  }
  Drive(c);
}

// The client reads: sends more of what waits in the outbox; once it is all out, the next
// requests are read and served.
void IoLoop::OnWritable(Connection* c) {
  switch (c->FlushOutbox()) {
    case Connection::Flush::kFailed:
      return Close(c);
    case Connection::Flush::kPending:
      c->last_active = Clock::now();  // the client reads, if slowly
      return;
    case Connection::Flush::kDone:
      break;
  }
  c->last_active = Clock::now();
  if (c->close_after_flush) return Close(c);
  Drive(c);
}

// What epoll reports for the connection, level-triggered: EPOLLIN while the loop serves it
// (no system call per request), EPOLLOUT while its outbox drains, nothing (out of the set:
// epoll would report a hang-up whatever it was asked for) while a pool thread has it.
// False (and closed) if epoll refuses.
bool IoLoop::Watch(Connection* c, uint32_t events) {
  if (c->interest == events) return true;
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = c;
  const int op = events == 0 ? EPOLL_CTL_DEL : c->interest == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
  if (epoll_ctl(epfd_, op, c->fd(), &ev) != 0) {
    c->interest = 0;
    Close(c);
    return false;
  }
  c->interest = events;
  return true;
}

// Closes the socket once the current batch of events is handled (one of them may still
// point at it).
void IoLoop::Close(Connection* c) {
  EndBody(c);
  if (c->interest != 0) epoll_ctl(epfd_, EPOLL_CTL_DEL, c->fd(), nullptr);
  c->interest = 0;
  c->closed = true;
  auto it = conns_.find(c);
  if (it == conns_.end()) return;
  closed_.push_back(std::move(it->second));
  conns_.erase(it);
}

void IoLoop::BeginStop() {
  if (accepts_ && !accept_paused_) epoll_ctl(epfd_, EPOLL_CTL_DEL, server_.listen_fd_, nullptr);
  accept_paused_ = true;
  for (auto it = conns_.begin(); it != conns_.end();) {
    Connection* c = it->first;
    ++it;
    if (!c->busy) Close(c);
  }
}

}  // namespace slipway::http
