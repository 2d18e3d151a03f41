// http/io_server.cc: IoServer and its event loops (see io_server.h).
#include "http/io_server.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <mutex>
#include <string>
#include <unordered_map>

#include "http/connection.h"

namespace slipway::http {

namespace {

using Clock = std::chrono::steady_clock;

char kWakeTag;    // epoll data of a loop's eventfd
char kListenTag;  // epoll data of the listening socket

// How often a loop looks for connections past a deadline: a quarter of the shorter one, so
// that a head is cut within 1.25 times its timeout; between 10 ms and 500 ms.
std::chrono::milliseconds SweepEvery(const IoServerOptions& o) {
  auto every = std::min(o.keep_alive_timeout, o.head_timeout) / 4;
  return std::clamp(every, std::chrono::milliseconds(10), std::chrono::milliseconds(500));
}

}  // namespace

// One epoll thread and the connections it owns (see io_server.h).
class IoLoop {
 public:
  IoLoop(IoServer& server, bool accepts)
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
  ~IoLoop() {
    conns_.clear();
    closed_.clear();
    for (const Event& e : pending_) {
      if (e.c == nullptr) ::close(e.fd);  // accepted while this loop was already stopping
    }
    ::close(wakefd_);
    ::close(epfd_);
  }

  void Start(int index) {
    thread_ = std::thread([this] { Run(); });
    pthread_setname_np(thread_.native_handle(), ("sw-http-io" + std::to_string(index)).c_str());
  }
  void Join() {
    if (thread_.joinable()) thread_.join();
  }
  // Any thread: a newly accepted descriptor for this loop, with its place under the caps.
  void Adopt(int fd, AdmissionTicket ticket) { Post({fd, nullptr, false, std::move(ticket)}); }
  // A pool thread: its request is answered; `keep` = the connection stays open.
  void Return(Connection* c, bool keep) { Post({-1, c, keep, AdmissionTicket()}); }
  void Wake() {
    const uint64_t one = 1;
    (void)::write(wakefd_, &one, sizeof(one));
  }

 private:
  struct Event {
    int fd;         // adopt this descriptor, or
    Connection* c;  // take this connection back from the pool
    bool keep;
    AdmissionTicket ticket;  // of the descriptor to adopt
  };

  void Post(Event e) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      pending_.push_back(std::move(e));
    }
    Wake();
  }

  bool stopping() const { return server_.stopping_.load(); }

  void Run() {
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

  void TakePending() {
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

  void AdoptHere(int fd, AdmissionTicket ticket) {
    if (stopping()) {
      ::close(fd);
      return;
    }
    std::unique_ptr<Connection> c;
    try {
      c = std::make_unique<Connection>(fd, server_.params_);
    } catch (const std::exception&) {
      return;  // e.g. the peer reset it already; the socket object closed the descriptor
    }
    Connection* raw = c.get();
    raw->ticket = std::move(ticket);
    raw->last_active = raw->head_since = Clock::now();
    conns_.emplace(raw, std::move(c));
    Watch(raw, EPOLLIN);
  }

  void Accept() {
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
      if (server_.limiter_.TryAdmit(ConnectionLimiter::AddressKey(peer), ticket) !=
          ConnectionLimiter::Admit::kOk) {
        SendRefusal(fd, Refusal::kTooManyConnections, server_.options_.max_head);
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
  void PauseAccepting() {
    epoll_ctl(epfd_, EPOLL_CTL_DEL, server_.listen_fd_, nullptr);
    accept_paused_ = true;
  }

  void ResumeAccepting() {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = &kListenTag;
    if (epoll_ctl(epfd_, EPOLL_CTL_ADD, server_.listen_fd_, &ev) == 0) accept_paused_ = false;
  }

  void OnReadable(Connection* c) {
    switch (c->ReadAvailable(server_.options_.max_head)) {
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
  void OnWritable(Connection* c) {
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

  // Serves the requests buffered on `c` that may be served here; then watches it again, hands
  // it to the pool, or closes it. A response the socket does not take at once is finished
  // from the outbox (OnWritable) before the next request is read: a client that does not read
  // holds up its own connection only.
  void Drive(Connection* c) {
    for (;;) {
      switch (c->Next(server_.options_.max_head)) {
        case RequestKind::kNone:
          Watch(c, EPOLLIN);
          return;
        case RequestKind::kIncomplete:
          StartHead(c);
          Watch(c, EPOLLIN);
          return;
        case RequestKind::kTooLarge:
          SendRefusal(c->fd(), Refusal::kHeadTooLarge, server_.options_.max_head);
          return Close(c);
        case RequestKind::kInline: {
          c->reading_head = false;
          const bool keep = c->ServeOne(server_.factory_, stopping(), /*on_loop=*/true);
          if (c->has_outbox()) {
            c->close_after_flush = !keep;
            Watch(c, EPOLLOUT);
            return;
          }
          if (!keep) return Close(c);
          c->last_active = Clock::now();
          continue;
        }
        case RequestKind::kPool:
          c->reading_head = false;
          return ToPool(c);
      }
    }
  }

  // The head deadline runs from the first byte of a request (it runs since the accept for
  // the first one).
  void StartHead(Connection* c) {
    if (c->reading_head) return;
    c->reading_head = true;
    c->head_since = Clock::now();
  }

  void ToPool(Connection* c) {
    // The loop must not read the socket while a pool thread does.
    if (!Watch(c, 0)) return;
    c->busy = true;
    const bool taken = server_.pool_.Submit([this, c] {
      bool keep = true;
      do {
        keep = c->ServeOne(server_.factory_, stopping(), /*on_loop=*/false);
      } while (keep && c->Next(server_.options_.max_head) == RequestKind::kPool);
      Return(c, keep);
    });
    if (taken) return;
    c->busy = false;
    SendRefusal(c->fd(), Refusal::kPoolFull, server_.options_.max_head);
    Close(c);
  }

  // What epoll reports for the connection, level-triggered: EPOLLIN while the loop serves it
  // (no system call per request), EPOLLOUT while its outbox drains, nothing (out of the set:
  // epoll would report a hang-up whatever it was asked for) while a pool thread has it.
  // False (and closed) if epoll refuses.
  bool Watch(Connection* c, uint32_t events) {
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
  void Close(Connection* c) {
    if (c->interest != 0) epoll_ctl(epfd_, EPOLL_CTL_DEL, c->fd(), nullptr);
    c->interest = 0;
    c->closed = true;
    auto it = conns_.find(c);
    if (it == conns_.end()) return;
    closed_.push_back(std::move(it->second));
    conns_.erase(it);
  }

  void BeginStop() {
    if (accepts_ && !accept_paused_) epoll_ctl(epfd_, EPOLL_CTL_DEL, server_.listen_fd_, nullptr);
    accept_paused_ = true;
    for (auto it = conns_.begin(); it != conns_.end();) {
      Connection* c = it->first;
      ++it;
      if (!c->busy) Close(c);
    }
  }

  void CloseIdle(Clock::time_point now) {
    if (accepts_ && accept_paused_ && !stopping()) ResumeAccepting();
    const auto limit = server_.options_.keep_alive_timeout;
    const auto head_limit = server_.options_.head_timeout;
    for (auto it = conns_.begin(); it != conns_.end();) {
      Connection* c = it->first;
      ++it;
      if (c->busy) continue;
      if (c->reading_head && now - c->head_since >= head_limit) {
        // Part of a head: tell the client why; nothing yet: just close.
        if (c->has_input()) SendRefusal(c->fd(), Refusal::kHeadTimeout, 0);
        Close(c);
      } else if (now - c->last_active >= limit) {
        Close(c);
      }
    }
  }

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

IoServer::IoServer(int listen_fd, Poco::Net::HTTPRequestHandlerFactory& factory,
                   Poco::Net::HTTPServerParams::Ptr params, IoServerOptions options)
    : listen_fd_(listen_fd),
      factory_(factory),
      params_(std::move(params)),
      options_(std::move(options)),
      limiter_(options_.max_connections, options_.max_connections_per_address),
      pool_(options_.pool) {
  const int flags = fcntl(listen_fd_, F_GETFL, 0);
  fcntl(listen_fd_, F_SETFL, flags | O_NONBLOCK);
  const int n = options_.loops < 1 ? 1 : options_.loops;
  for (int i = 0; i < n; ++i) loops_.push_back(std::make_unique<IoLoop>(*this, i == 0));
}

IoServer::~IoServer() { Stop(); }

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
