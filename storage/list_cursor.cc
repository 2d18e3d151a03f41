// storage/list_cursor.cc: see list_cursor.h.
#include "storage/list_cursor.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

namespace slipway::storage {

std::string EncodeListCursor(const Instance& last) {
  return std::to_string(last.created_at_ms) + ":" + last.id;
}

// The id may itself contain ':'.
Result<ListCursor> DecodeListCursor(const std::string& text) {
  const Status bad = InvalidArgument("cursor", "malformed cursor");
  const size_t colon = text.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return bad;
  const std::string number = text.substr(0, colon);
  for (char ch : number) {
    if (ch < '0' || ch > '9') return bad;
  }
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(number.c_str(), &end, 10);
  if (errno != 0 || *end != '\0') return bad;
  return ListCursor{v, text.substr(colon + 1)};
}

int ClampListLimit(int limit) { return std::min(std::max(limit, 1), 500); }

}  // namespace slipway::storage
