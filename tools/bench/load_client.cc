// tools/bench/load_client.cc: epoll-driven keep-alive HTTP/1.1 clients (see load_client.h).
#include "tools/bench/load_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <time.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace slipway::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Conn {
  int fd = -1;
  std::string out;  // the request being sent
  size_t out_off = 0;
  std::string in;  // bytes of the response so far
  Clock::time_point sent_at;
  bool in_flight = false;
  bool watching_out = false;  // epoll also reports writability (a request only partly sent)
};

// What a complete response at the start of `in` looks like; size 0 = not complete yet.
struct Parsed {
  size_t size = 0;
  int status = 0;
  bool close = false;
  bool bad = false;
};

bool HeaderIs(const char* line, size_t len, const char* name) {
  const size_t n = std::strlen(name);
  return len > n && strncasecmp(line, name, n) == 0 && line[n] == ':';
}

Parsed ParseResponse(const std::string& in) {
  Parsed p;
  const size_t head_end = in.find("\r\n\r\n");
  if (head_end == std::string::npos) return p;
  if (in.compare(0, 7, "HTTP/1.") != 0 || head_end < 12) {
    p.bad = true;
    return p;
  }
  p.status = std::atoi(in.c_str() + 9);
  long long length = -1;
  size_t pos = in.find("\r\n") + 2;
  while (pos < head_end) {
    size_t eol = in.find("\r\n", pos);
    const char* line = in.c_str() + pos;
    const size_t len = eol - pos;
    if (HeaderIs(line, len, "Content-Length")) length = std::atoll(line + 15);
    if (HeaderIs(line, len, "Connection") && len >= 16 &&
        strncasecmp(line + len - 5, "close", 5) == 0) {
      p.close = true;
    }
    pos = eol + 2;
  }
  if (length < 0) {
    p.bad = true;  // chunked or unknown length: not supported
    return p;
  }
  const size_t total = head_end + 4 + static_cast<size_t>(length);
  if (in.size() >= total) p.size = total;
  return p;
}

class LoadThread {
 public:
  LoadThread(const LoadOptions& o, const PathPicker& pick, int connections, uint64_t seed)
      : o_(o), pick_(pick), conns_(static_cast<size_t>(connections)), rng_(seed) {}

  LoadResult Run() {
    pthread_setname_np(pthread_self(), "bench-load");
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    result_.latency_ms.reserve(1 << 20);
    for (size_t i = 0; i < conns_.size(); ++i) Restart(i);
    std::vector<epoll_event> events(conns_.size() + 1);
    while (Clock::now() < o_.end) {
      int n = epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 100);
      for (int k = 0; k < n; ++k) {
        const size_t i = events[static_cast<size_t>(k)].data.u32;
        if (events[static_cast<size_t>(k)].events & EPOLLOUT) Flush(i);
        if (events[static_cast<size_t>(k)].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) Read(i);
      }
    }
    for (auto& c : conns_) {
      if (c.fd >= 0) close(c.fd);
    }
    close(epoll_);
    timespec cpu{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
    result_.cpu_seconds = static_cast<double>(cpu.tv_sec) + static_cast<double>(cpu.tv_nsec) / 1e9;
    return std::move(result_);
  }

 private:
  // (Re)connects connection i and sends its first request.
  void Restart(size_t i) {
    Conn& c = conns_[i];
    if (c.fd >= 0) close(c.fd);
    c = Conn{};
    if (Clock::now() >= o_.end) return;
    c.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(o_.port);
    inet_pton(AF_INET, o_.host.c_str(), &addr.sin_addr);
    if (connect(c.fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      result_.errors++;
      close(c.fd);
      c.fd = -1;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      return;
    }
    int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    fcntl(c.fd, F_SETFL, fcntl(c.fd, F_GETFL) | O_NONBLOCK);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u32 = static_cast<uint32_t>(i);
    epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &ev);
    Send(i);
  }

  void Send(size_t i) {
    Conn& c = conns_[i];
    c.out = "GET " + pick_(rng_) + " HTTP/1.1\r\nHost: " + o_.host + "\r\n" + o_.headers + "\r\n";
    c.out_off = 0;
    c.in_flight = true;
    c.sent_at = Clock::now();
    Flush(i);
  }

  void Flush(size_t i) {
    Conn& c = conns_[i];
    while (c.out_off < c.out.size()) {
      ssize_t w = send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off, MSG_NOSIGNAL);
      if (w > 0) {
        c.out_off += static_cast<size_t>(w);
        continue;
      }
      if (w < 0 && errno == EAGAIN) return Watch(i, EPOLLIN | EPOLLOUT);
      return Fail(i);
    }
    if (c.watching_out) Watch(i, EPOLLIN);
  }

  // Changes what epoll reports for connection i (only when it has to: a system call).
  void Watch(size_t i, uint32_t mask) {
    conns_[i].watching_out = (mask & EPOLLOUT) != 0;
    epoll_event ev{};
    ev.events = mask;
    ev.data.u32 = static_cast<uint32_t>(i);
    epoll_ctl(epoll_, EPOLL_CTL_MOD, conns_[i].fd, &ev);
  }

  void Read(size_t i) {
    Conn& c = conns_[i];
    char buf[16384];
    for (;;) {
      ssize_t r = recv(c.fd, buf, sizeof(buf), 0);
      if (r > 0) {
        c.in.append(buf, static_cast<size_t>(r));
        if (static_cast<size_t>(r) < sizeof(buf)) break;
        continue;
      }
      if (r < 0 && errno == EAGAIN) break;
      return Fail(i);  // EOF or error
    }
    Parsed p = ParseResponse(c.in);
    if (p.bad) return Fail(i);
    if (p.size == 0) return;  // more to come
    result_.latency_ms.push_back(
        std::chrono::duration<double, std::milli>(Clock::now() - c.sent_at).count());
    result_.codes[p.status]++;
    c.in.erase(0, p.size);
    c.in_flight = false;
    if (p.close) {
      result_.reconnects++;
      return Restart(i);
    }
    if (Clock::now() < o_.end) Send(i);
  }

  void Fail(size_t i) {
    if (conns_[i].in_flight) result_.errors++;
    result_.reconnects++;
    Restart(i);
  }

  const LoadOptions& o_;
  const PathPicker& pick_;
  std::vector<Conn> conns_;
  std::mt19937_64 rng_;
  int epoll_ = -1;
  LoadResult result_;
};

}  // namespace

LoadResult RunLoad(const LoadOptions& options, const PathPicker& next_path) {
  const int threads = std::max(1, std::min(options.threads, options.connections));
  std::vector<LoadResult> parts(static_cast<size_t>(threads));
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    const int n = options.connections / threads + (t < options.connections % threads ? 1 : 0);
    workers.emplace_back([&, t, n] {
      parts[static_cast<size_t>(t)] = LoadThread(options, next_path, n, 1000 + t).Run();
    });
  }
  for (auto& w : workers) w.join();
  LoadResult all;
  for (auto& p : parts) {
    all.latency_ms.insert(all.latency_ms.end(), p.latency_ms.begin(), p.latency_ms.end());
    for (const auto& [code, count] : p.codes) all.codes[code] += count;
    all.errors += p.errors;
    all.reconnects += p.reconnects;
    all.cpu_seconds += p.cpu_seconds;
  }
  return all;
}

}  // namespace slipway::bench
