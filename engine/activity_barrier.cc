#include "engine/activity_barrier.h"

#include <exception>
#include <new>
#include <stdexcept>

#include "engine/base/redact.h"

namespace slipway::engine {

namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Length of the valid UTF-8 sequence at text[i], or 0 if none starts there (overlong forms,
// surrogates and code points past U+10FFFF are invalid).
size_t SequenceAt(const std::string& text, size_t i) {
  const auto at = [&](size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const unsigned char c = at(0);
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) len = 2;
  else if (c >= 0xE0 && c <= 0xEF) len = 3;
  else if (c >= 0xF0 && c <= 0xF4) len = 4;
  else return 0;
  if (c == 0xE0) lo = 0xA0;
  if (c == 0xED) hi = 0x9F;
  if (c == 0xF0) lo = 0x90;
  if (c == 0xF4) hi = 0x8F;
  if (i + len > text.size() || at(1) < lo || at(1) > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    if (!IsContinuation(at(k))) return 0;
  }
  return len;
}

}  // namespace

std::string CutUtf8(const std::string& text, size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes));
  for (size_t i = 0; i < text.size();) {
    size_t len = SequenceAt(text, i);
    const char* piece = len > 0 ? text.data() + i : kReplacement;
    size_t piece_len = len > 0 ? len : sizeof(kReplacement) - 1;
    if (out.size() + piece_len > max_bytes) break;
    out.append(piece, piece_len);
    i += len > 0 ? len : 1;
  }
  return out;
}

Status ThrownStatus(const char* what) noexcept {
  try {
    std::string message = "activity threw: ";
    message += CutUtf8(what == nullptr ? "" : what, kMaxThrownMessageBytes - message.size());
    // Redacting may mask part of the text, never lengthen it beyond the bound by much; cut
    // again so the bound holds whatever the redactor does.
    return Internal(CutUtf8(RedactText(message), kMaxThrownMessageBytes));
  } catch (...) {
    // Out of memory while describing the failure: a fixed text needs no allocation of ours.
    return Internal("activity threw (no memory to describe it)");
  }
}

Result<nlohmann::json> RunBehindBarrier(Activity& activity, const ActivityCall& call,
                                        Failpoints& failpoints) noexcept {
  try {
    Status armed = failpoints.Hit("activity.throw");
    if (!armed.ok()) throw std::runtime_error(armed.message());
    return activity.Run(call);
  } catch (const std::exception& e) {
    return ThrownStatus(e.what());
  } catch (...) {
    return ThrownStatus("an exception that is not a std::exception");
  }
}

}  // namespace slipway::engine
