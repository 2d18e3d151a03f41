#include "engine/base/utf8.h"

namespace slipway {

namespace {

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Length of the valid UTF-8 sequence starting at text[i], or 0 when it is not valid.
size_t SequenceLength(std::string_view text, size_t i) {
  unsigned char c = static_cast<unsigned char>(text[i]);
  size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || i + len > text.size() || (len == 2 && c < 0xC2)) return 0;
  for (size_t k = 1; k < len; ++k) {
    if (!IsContinuation(static_cast<unsigned char>(text[i + k]))) return 0;
  }
  unsigned char c1 = len > 1 ? static_cast<unsigned char>(text[i + 1]) : 0;
  // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are invalid too.
  if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0) || (c == 0xF0 && c1 < 0x90) ||
      (c == 0xF4 && c1 >= 0x90) || c > 0xF4) {
    return 0;
  }
  return len;
}

// Moves a cut point at `at` back (or forward, for a tail) off continuation bytes. A character
// is at most 4 bytes, so at most 3 steps: invalid input cannot make this scan far.
size_t BoundaryBefore(std::string_view text, size_t at) {
  for (int steps = 0; steps < 3 && at > 0 && at < text.size() &&
                      IsContinuation(static_cast<unsigned char>(text[at]));
       ++steps) {
    --at;
  }
  return at;
}

size_t BoundaryAfter(std::string_view text, size_t at) {
  for (int steps = 0;
       steps < 3 && at < text.size() && IsContinuation(static_cast<unsigned char>(text[at]));
       ++steps) {
    ++at;
  }
  return at;
}

}  // namespace

bool IsValidUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    size_t len = SequenceLength(text, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

std::string ScrubUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    size_t len = SequenceLength(text, i);
    if (len == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
    } else {
      out.append(text, i, len);
      i += len;
    }
  }
  return out;
}

std::string TruncateUtf8(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  return std::string(text.substr(0, BoundaryBefore(text, max_bytes)));
}

std::string TruncateUtf8(std::string_view text, size_t max_bytes, std::string_view ellipsis) {
  if (text.size() <= max_bytes) return std::string(text);
  return TruncateUtf8(text, max_bytes) + std::string(ellipsis);
}

std::string TailUtf8(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  return std::string(text.substr(BoundaryAfter(text, text.size() - max_bytes)));
}

}  // namespace slipway
