// http/refusals.cc: RefusalCounts (see refusals.h).
#include "http/refusals.h"

#include <sstream>

namespace slipway::http {

const char* RefusalReasonName(RefusalReason reason) {
  switch (reason) {
    case RefusalReason::kHeadTooLarge: return "head_too_large";
    case RefusalReason::kHeadTimeout: return "head_timeout";
    case RefusalReason::kBodyTimeout: return "body_timeout";
    case RefusalReason::kBodyTooLarge: return "body_too_large";
    case RefusalReason::kBadRequest: return "bad_request";
    case RefusalReason::kConnectionsTotalCap: return "connections_total_cap";
    case RefusalReason::kConnectionsPerAddressCap: return "connections_per_address_cap";
    case RefusalReason::kPoolFull: return "pool_full";
    case RefusalReason::kBodyBufferFull: return "body_buffer_full";
    case RefusalReason::kWaitsPerPrincipalCap: return "waits_per_principal_cap";
    case RefusalReason::kWaitersCap: return "waiters_cap";
    case RefusalReason::kUnauthorized: return "unauthorized";
    case RefusalReason::kForbidden: return "forbidden";
    case RefusalReason::kMethodNotAllowed: return "method_not_allowed";
    case RefusalReason::kUnsupportedMediaType: return "unsupported_media_type";
  }
  return "unknown";
}

std::optional<RefusalReason> RefusalForStatus(int status) {
  switch (status) {
    case 400: return RefusalReason::kBadRequest;
    case 401: return RefusalReason::kUnauthorized;
    case 403: return RefusalReason::kForbidden;
    case 405: return RefusalReason::kMethodNotAllowed;
    case 413: return RefusalReason::kBodyTooLarge;
    case 415: return RefusalReason::kUnsupportedMediaType;
    default: return std::nullopt;
  }
}

void RefusalCounts::Count(RefusalReason reason) {
  refused_[static_cast<size_t>(reason)].fetch_add(1, std::memory_order_relaxed);
}

void RefusalCounts::CountServerError(int status) {
  if (status < 500 || status > 599) return;
  server_errors_[static_cast<size_t>(status - 500)].fetch_add(1, std::memory_order_relaxed);
}

int64_t RefusalCounts::count(RefusalReason reason) const {
  return refused_[static_cast<size_t>(reason)].load(std::memory_order_relaxed);
}

std::string RefusalCounts::Render() const {
  std::ostringstream out;
  out << "# HELP slipway_http_refused_total Requests and connections the server refused or "
         "cut, by reason.\n# TYPE slipway_http_refused_total counter\n";
  for (size_t i = 0; i < kRefusalReasons; ++i) {
    out << "slipway_http_refused_total{reason=\""
        << RefusalReasonName(static_cast<RefusalReason>(i)) << "\"} "
        << refused_[i].load(std::memory_order_relaxed) << "\n";
  }
  out << "# HELP slipway_http_server_errors_total Answers with a 5xx status, from handlers and "
         "from the event loops, by status.\n# TYPE slipway_http_server_errors_total counter\n";
  for (size_t i = 0; i < server_errors_.size(); ++i) {
    const int64_t n = server_errors_[i].load(std::memory_order_relaxed);
    if (n > 0) out << "slipway_http_server_errors_total{code=\"" << 500 + i << "\"} " << n << "\n";
  }
  return out.str();
}

}  // namespace slipway::http
