// tools/emulator/pagination.h: GitHub-style pages of a list answer (?per_page=&page=, Link).
//
// GitHub lists 30 items per page by default, at most 100 (`per_page`), pages counted from 1
// (`page`), and names the other pages in a Link header: `<url>; rel="next", <url>; rel="last"`
// (plus "prev" and "first" after the first page). Pure function.
#pragma once

#include <nlohmann/json.hpp>

#include "tools/emulator/emu_http.h"

namespace slipway::emulator {

// A 200 with the requested page of `items` (a JSON array) and its Link header. The page URLs
// keep the request's path and its other query parameters.
EmuResponse PagedList(const EmuRequest& req, const nlohmann::json& items);

}  // namespace slipway::emulator
