// storage/pg_listener.cc: Listener (see pg_listener.h).
#include "storage/pg_listener.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <pqxx/pqxx>

#include "engine/base/status.h"
#include "storage/pg_conn.h"

namespace slipway::storage::pg {
namespace {

class Receiver final : public pqxx::notification_receiver {
 public:
  Receiver(pqxx::connection_base& c, std::function<void(const std::string&)> on_payload)
      : pqxx::notification_receiver(c, kChannel), on_payload_(std::move(on_payload)) {}
  void operator()(const std::string& payload, int) override { on_payload_(payload); }

 private:
  std::function<void(const std::string&)> on_payload_;
};

}  // namespace

Listener::Listener(std::string dsn, std::string own_tag, ChangeFn on_change)
    : dsn_(std::move(dsn)), own_tag_(std::move(own_tag)), on_change_(std::move(on_change)) {
  SLIPWAY_CHECK(pipe2(wake_pipe_, O_CLOEXEC | O_NONBLOCK) == 0);
  thread_ = std::thread([this] { Loop(); });
}

Listener::~Listener() {
  stop_.store(true);
  const char byte = 1;
  (void)!write(wake_pipe_[1], &byte, 1);
  thread_.join();
  close(wake_pipe_[0]);
  close(wake_pipe_[1]);
}

void Listener::WaitStarted() {
  while (!started_.load(std::memory_order_acquire)) Pause(1);
}

bool Listener::Pause(int ms) {
  pollfd p{wake_pipe_[0], POLLIN, 0};
  (void)poll(&p, 1, ms);
  return !stop_.load();
}

void Listener::Handle(const std::string& payload) {
  const size_t space = payload.find(' ');
  if (space == std::string::npos || space + 2 > payload.size()) {
    return on_change_(Change::kUnknown, "");
  }
  if (payload.compare(0, space, own_tag_) == 0) return;  // our own commit
  if (payload[space + 1] == 't') return on_change_(Change::kTasks, "");
  if (payload.compare(space + 1, 2, "w ") == 0) {
    return on_change_(Change::kWorkflow, payload.substr(space + 3));
  }
  on_change_(Change::kUnknown, "");
}

void Listener::Serve() {
  pqxx::connection conn(dsn_);
  Receiver receiver(conn, [this](const std::string& p) { Handle(p); });
  conn.get_notifs();  // sends the LISTEN
  connected_.store(true, std::memory_order_release);
  started_.store(true, std::memory_order_release);
  // Commits made while nobody listened went unheard.
  on_change_(Change::kUnknown, "");
  while (!stop_.load()) {
    pollfd fds[2] = {{conn.sock(), POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
    if (fds[0].fd < 0) throw pqxx::broken_connection("listener socket gone");
    (void)poll(fds, 2, 1000);
    conn.get_notifs();
    if (!conn.is_open()) throw pqxx::broken_connection("listener connection closed");
  }
}

void Listener::Loop() {
  while (!stop_.load()) {
    try {
      Serve();
    } catch (const std::exception&) {
      // Reconnect below; the store reads through while we are away.
    }
    connected_.store(false, std::memory_order_release);
    started_.store(true, std::memory_order_release);
    if (!Pause(100)) return;
  }
}

}  // namespace slipway::storage::pg
