// http/request_body.cc: MeasureRequest (see request_body.h).
#include "http/request_body.h"

#include <cctype>
#include <cstdint>
#include <string>

#include "http/request_head.h"

namespace slipway::http {

namespace {

using State = RequestExtent::State;
constexpr size_t kMaxChunkLine = 1024;  // a chunk size with its extensions, or a trailer line
constexpr size_t npos = std::string_view::npos;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

bool EqualsNoCase(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != lower[i]) return false;
  }
  return true;
}

struct Framing {
  bool bad = false;
  bool chunked = false;
  bool has_length = false;
  uint64_t length = 0;
  bool expect_continue = false;
};

// Reads the framing headers of a head (its lines after the request line).
Framing FramingOf(std::string_view head) {
  Framing f;
  size_t pos = head.find('\n');
  while (pos != npos && pos + 1 < head.size()) {
    const size_t start = pos + 1;
    pos = head.find('\n', start);
    const std::string_view line = head.substr(start, pos == npos ? npos : pos - start);
    const size_t colon = line.find(':');
    if (colon == npos) continue;
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = Trim(line.substr(colon + 1));
    if (EqualsNoCase(name, "content-length")) {
      uint64_t n = 0;
      if (value.empty() || value.size() > 18) f.bad = true;
      for (char ch : value) {
        if (ch < '0' || ch > '9') f.bad = true;
        n = n * 10 + static_cast<uint64_t>(ch - '0');
      }
      if (f.has_length && n != f.length) f.bad = true;
      f.has_length = true;
      f.length = n;
    } else if (EqualsNoCase(name, "transfer-encoding")) {
      if (f.chunked || !EqualsNoCase(value, "chunked")) f.bad = true;
      f.chunked = true;
    } else if (EqualsNoCase(name, "expect")) {
      f.expect_continue = EqualsNoCase(value, "100-continue");
    }
  }
  if (f.chunked && f.has_length) f.bad = true;  // the classic request smuggling shape
  return f;
}

// The end of a chunked body starting at data[0] (one past its last byte), npos while it is
// still arriving; sets `state` to kTooLarge or kMalformed when it can never be whole. Resumes
// at `cur`, and leaves it after the last whole chunk (or trailer line) it saw.
size_t ChunkedEnd(std::string_view data, size_t max_body, ChunkCursor& cur, State& state) {
  for (;;) {
    const size_t nl = data.find('\n', cur.pos);
    if (nl == npos) {
      if (data.size() - cur.pos > kMaxChunkLine) state = State::kMalformed;
      return npos;
    }
    if (nl - cur.pos > kMaxChunkLine) {
      state = State::kMalformed;
      return npos;
    }
    const std::string_view line = data.substr(cur.pos, nl - cur.pos);
    if (cur.trailers) {
      cur.pos = nl + 1;
      if (Trim(line).empty()) return cur.pos;
      continue;
    }
    uint64_t size = 0;
    size_t digits = 0;
    for (; digits < line.size() && std::isxdigit(static_cast<unsigned char>(line[digits])); ++digits) {
      const char ch = static_cast<char>(std::tolower(static_cast<unsigned char>(line[digits])));
      size = size * 16 + static_cast<uint64_t>(ch <= '9' ? ch - '0' : ch - 'a' + 10);
      if (size > max_body) {
        state = State::kTooLarge;
        return npos;
      }
    }
    const std::string_view rest = Trim(line.substr(digits));
    if (digits == 0 || (!rest.empty() && rest.front() != ';')) {
      state = State::kMalformed;
      return npos;
    }
    if (size == 0) {
      cur.pos = nl + 1;
      cur.trailers = true;
      continue;
    }
    if (cur.total + size > max_body) {
      state = State::kTooLarge;
      return npos;
    }
    size_t after = nl + 1 + size;  // the chunk's line end
    if (after < data.size() && data[after] == '\r') ++after;
    if (after >= data.size()) return npos;
    if (data[after] != '\n') {
      state = State::kMalformed;
      return npos;
    }
    cur.pos = after + 1;
    cur.total += size;
  }
}

}  // namespace

RequestExtent MeasureRequest(std::string_view data, size_t max_body, ChunkCursor* cursor) {
  RequestExtent e;
  const size_t head_end = RequestHeadEnd(data);
  if (head_end == npos) return e;  // kMalformed: the caller broke the precondition
  const Framing f = FramingOf(data.substr(0, head_end));
  e.expect_continue = f.expect_continue;
  if (f.bad) return e;
  if (!f.chunked) {
    if (f.length > max_body) {
      e.state = State::kTooLarge;
      return e;
    }
    const size_t size = head_end + static_cast<size_t>(f.length);
    e.state = data.size() >= size ? State::kComplete : State::kIncomplete;
    e.size = e.state == State::kComplete ? size : 0;
    e.wire_limit = size;
    return e;
  }
  const size_t wire_limit = head_end + 3 * max_body + kMaxChunkLine;
  State state = State::kIncomplete;
  ChunkCursor fresh;
  const size_t end =
      ChunkedEnd(data.substr(head_end), max_body, cursor != nullptr ? *cursor : fresh, state);
  if (end != npos && head_end + end <= wire_limit) {
    e.state = State::kComplete;
    e.size = head_end + end;
    return e;
  }
  if (end != npos) state = State::kTooLarge;  // as it would be, had it come a byte at a time
  if (state == State::kIncomplete && data.size() >= wire_limit) state = State::kTooLarge;
  e.state = state;
  e.wire_limit = wire_limit;
  return e;
}

}  // namespace slipway::http
