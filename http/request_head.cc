// http/request_head.cc: ClassifyRequest (see request_head.h).
#include "http/request_head.h"

#include <cctype>
#include <string>

#include "http/router.h"

namespace slipway::http {

size_t RequestHeadEnd(std::string_view data) {
  const size_t crlf = data.find("\r\n\r\n");
  const size_t lf = data.find("\n\n");
  if (crlf == std::string_view::npos && lf == std::string_view::npos) return std::string_view::npos;
  if (lf == std::string_view::npos || (crlf != std::string_view::npos && crlf < lf)) return crlf + 4;
  return lf + 2;
}

namespace {

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

// True when a header line announces a body (a Content-Length other than 0, any
// Transfer-Encoding) or asks for an interim response (Expect).
bool HasBodyHeaders(std::string_view headers) {
  size_t pos = 0;
  while (pos < headers.size()) {
    size_t end = headers.find('\n', pos);
    if (end == std::string_view::npos) end = headers.size();
    std::string_view line = headers.substr(pos, end - pos);
    pos = end + 1;
    if (StartsWithNoCase(line, "content-length:")) {
      line.remove_prefix(15);
      while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
      if (line != "0") return true;
    } else if (StartsWithNoCase(line, "transfer-encoding:") || StartsWithNoCase(line, "expect:")) {
      return true;
    }
  }
  return false;
}

// True when the query string has a `wait` parameter (a long poll).
bool AsksToWait(std::string_view target) {
  const size_t q = target.find('?');
  if (q == std::string_view::npos) return false;
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const std::string_view key = pair.substr(0, pair.find('='));
    if (key == "wait") return true;
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return false;
}

}  // namespace

RequestKind ClassifyRequest(std::string_view data, size_t max_head) {
  if (data.empty()) return RequestKind::kNone;
  const size_t head_end = RequestHeadEnd(data);
  if (head_end == std::string_view::npos) {
    return data.size() >= max_head ? RequestKind::kTooLarge : RequestKind::kIncomplete;
  }
  if (head_end > max_head) return RequestKind::kTooLarge;
  const std::string_view head = data.substr(0, head_end);
  const size_t line_end = head.find('\n');
  const std::string_view line = head.substr(0, line_end);
  const size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos || line.substr(0, sp1) != "GET") return RequestKind::kPool;
  const size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return RequestKind::kPool;
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (HasBodyHeaders(head.substr(line_end + 1)) || AsksToWait(target)) return RequestKind::kPool;
  Result<RouteMatch> m = MatchRoute("GET", std::string(target));
  if (!m.ok()) return RequestKind::kInline;  // an error answer: nothing to wait for
  return m->route->quick ? RequestKind::kInline : RequestKind::kPool;
}

}  // namespace slipway::http
