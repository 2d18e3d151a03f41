// http/front_door.h: what the event loops do for a client before any request reaches a
// handler: admitting new connections (caps in total and per client address) and the canned
// answers written on a loop's own thread, without blocking (431 head too large, 408 head or
// body too slow, 413 body too large, 400 body framing, 503 pool full, connection refused or
// body budget spent). Internal to http/ (io_server.h).
//
// A client address is the IPv4 address, or the /64 prefix of an IPv6 one (one host usually
// holds a whole /64). Thread-safety: ConnectionLimiter is thread-safe (connections are
// admitted on the accepting loop and released on whichever loop closes them).
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <mutex>
#include <string>
#include <unordered_map>

namespace slipway::http {

class ConnectionLimiter;

// One admitted connection's place under the caps; gives it back when destroyed. Movable.
class AdmissionTicket {
 public:
  AdmissionTicket() = default;
  AdmissionTicket(ConnectionLimiter* limiter, std::string key)
      : limiter_(limiter), key_(std::move(key)) {}
  AdmissionTicket(AdmissionTicket&& o) noexcept : limiter_(o.limiter_), key_(std::move(o.key_)) {
    o.limiter_ = nullptr;
  }
  AdmissionTicket& operator=(AdmissionTicket&& o) noexcept;
  AdmissionTicket(const AdmissionTicket&) = delete;
  AdmissionTicket& operator=(const AdmissionTicket&) = delete;
  ~AdmissionTicket() { Release(); }

 private:
  void Release();
  ConnectionLimiter* limiter_ = nullptr;
  std::string key_;
};

class ConnectionLimiter {
 public:
  // A cap of 0 means none.
  ConnectionLimiter(int max_total, int max_per_address)
      : max_total_(max_total), max_per_address_(max_per_address) {}

  // The client address of an accepted socket's peer, as a map key.
  static std::string AddressKey(const sockaddr_storage& peer);

  enum class Admit { kOk, kTotalCap, kAddressCap };
  // Takes a place for a new connection from `key`; `ticket` holds it when kOk.
  Admit TryAdmit(const std::string& key, AdmissionTicket& ticket);
  void Release(const std::string& key);

  int open() const { return open_.load(); }
  int max_total() const { return max_total_; }
  // True when the total cap is reached (nobody else can connect).
  bool full() const { return max_total_ > 0 && open_.load() >= max_total_; }

 private:
  const int max_total_;
  const int max_per_address_;
  std::atomic<int> open_{0};
  std::mutex mu_;
  std::unordered_map<std::string, int> per_address_;  // guarded by mu_
};

// Canned answers of the loops: whole responses with a JSON error body, "Connection: close".
enum class Refusal {
  kPoolFull,       // 503 unavailable: every pool thread busy and its queue full
  kHeadTooLarge,   // 431 request_head_too_large (field "head")
  kHeadTimeout,    // 408 request_timeout: the head did not all arrive within its deadline
  kTooManyConnections,  // 503 unavailable: a connection cap is reached
  kBodyTimeout,    // 408 request_timeout (field "body"): the body did not all arrive in time
  kBodyTooLarge,   // 413 payload_too_large (field "body")
  kBadFraming,     // 400 invalid_argument (field "head"): Content-Length / Transfer-Encoding
  kBodiesFull,     // 503 unavailable: the loops hold as many body bytes as they may
};
// Sends the answer without waiting (a client that does not take it at once loses it), then
// reads what the client already sent, so that closing right after does not reset the
// connection before the answer arrives. Does not close `fd`. `limit`: the bound a 431 or 413
// names (head or body bytes).
void SendRefusal(int fd, Refusal which, size_t limit);

}  // namespace slipway::http
