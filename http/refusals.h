// http/refusals.h: what the server refused, by reason, and the 5xx answers it sent, for
// GET /metrics: slipway_http_refused_total{reason} and slipway_http_server_errors_total{code}.
//
// The front door (io_server.h) counts what the event loops answer or cut themselves (431, 408,
// connection caps, a full pool, bodies); the dispatcher (handler_factory.cc) counts what the
// handlers answer (400, 401, 403, 405, 413, 415 and every 5xx); WaiterSlot counts the wait
// caps (429). A 404 or 409 is an answer, not a refusal, and is not counted here (it is in
// slipway_http_requests_total). Reason names are label values dashboards depend on: stable.
//
// Thread-safe: atomic counters, bumped from any server thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

namespace slipway::http {

enum class RefusalReason {
  kHeadTooLarge,              // 431, on the loop
  kHeadTimeout,               // 408: a head not whole within its deadline
  kBodyTimeout,               // 408: a body not whole within its deadline
  kBodyTooLarge,              // 413 (declared or sent)
  kBadRequest,                // 400: malformed request, framing or field
  kConnectionsTotalCap,       // 503: connections in total
  kConnectionsPerAddressCap,  // 503: connections from one client address
  kPoolFull,                  // 503: every pool thread busy and its queue full
  kBodyBufferFull,            // 503: the loops hold as many body bytes as they may
  kWaitsPerPrincipalCap,      // 429: one token's long polls and streams
  kWaitersCap,                // 429: long polls and streams in all
  kUnauthorized,              // 401
  kForbidden,                 // 403
  kMethodNotAllowed,          // 405
  kUnsupportedMediaType,      // 415
};
inline constexpr size_t kRefusalReasons = 15;

// The label value of a reason ("head_too_large", ...).
const char* RefusalReasonName(RefusalReason reason);
// The reason a handler's answer with this status stands for; nullopt for statuses that are
// not refusals, and for 429 (counted where the cap is checked, which knows which cap).
std::optional<RefusalReason> RefusalForStatus(int status);

class RefusalCounts {
 public:
  void Count(RefusalReason reason);
  // Counts an answer with a status in [500, 599]; other statuses are ignored.
  void CountServerError(int status);
  int64_t count(RefusalReason reason) const;
  // Both families in exposition format; every reason appears, 0 included.
  std::string Render() const;

 private:
  std::array<std::atomic<int64_t>, kRefusalReasons> refused_{};
  std::array<std::atomic<int64_t>, 100> server_errors_{};  // index: status - 500
};

}  // namespace slipway::http
