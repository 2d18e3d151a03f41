// engine/base/utf8.h: UTF-8 validity and cutting for untrusted text (tenant input, build
// output, model replies, crawled pages, remote error messages).
//
// JSON text must be UTF-8 (nlohmann's dump() throws on anything else), so text that may hold
// any bytes is either checked, scrubbed, or sent as base64; text that is shortened is cut on a
// code-point boundary, never inside a character. Valid means RFC 3629: no overlong forms, no
// UTF-16 surrogates, nothing past U+10FFFF. Pure functions, linear time, no recursion;
// thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace slipway {

// True when every byte of text belongs to a valid UTF-8 sequence.
bool IsValidUtf8(std::string_view text);

// text with every byte that does not belong to a valid sequence replaced by U+FFFD.
std::string ScrubUtf8(std::string_view text);

// The longest prefix of text of at most max_bytes bytes that does not end inside a UTF-8
// sequence. Valid input gives valid output; invalid bytes are kept as they are (scrub for JSON).
std::string TruncateUtf8(std::string_view text, size_t max_bytes);

// The same, followed by `ellipsis` when something was cut (so at most max_bytes + its size).
std::string TruncateUtf8(std::string_view text, size_t max_bytes, std::string_view ellipsis);

// The longest suffix of text of at most max_bytes bytes that does not start inside a sequence
// (the end of a log).
std::string TailUtf8(std::string_view text, size_t max_bytes);

}  // namespace slipway
