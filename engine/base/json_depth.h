// engine/base/json_depth.h: how deep JSON text nests, counted before parsing, so that a
// hostile document (100,000 '[') costs one linear scan instead of a recursive parse.
// Used by the HTTP body reader and the fuzz targets. Thread-safe, no allocation.
#pragma once

#include <string_view>

namespace slipway {

// True when `text` nests arrays/objects deeper than max_depth (brackets in strings skipped).
bool JsonNestsDeeperThan(std::string_view text, int max_depth);

}  // namespace slipway
