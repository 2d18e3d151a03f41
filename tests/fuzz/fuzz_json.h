// tests/fuzz/fuzz_json.h: turning fuzzer bytes into a JSON value the way the server would.
//
// The API parses request bodies with a depth limit of 32 (http/json_body.h) before any
// validation or redaction sees them, so the targets for what comes after the parser bound the
// depth the same way: nlohmann's dump and our recursive walks are only ever given bounded
// documents. Header-only; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/base/json_depth.h"

namespace slipway::fuzz {

inline constexpr int kMaxJsonDepth = 32;

// The parsed value, or a discarded value for invalid or too deep text. Never throws.
inline nlohmann::json ParseBounded(const std::string& text) {
  if (JsonNestsDeeperThan(text, kMaxJsonDepth)) return nlohmann::json(nlohmann::json::value_t::discarded);
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

// What our code does with text that may not be UTF-8 before it is stored or sent.
inline std::string DumpReplacing(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace slipway::fuzz
