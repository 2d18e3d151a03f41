// http/console.h: the web console's static files (http/console/), embedded at configure time
// (http/console_embed.cmake) and served by slipwayd at GET / and GET /console/<file>
// (console_handler.cc). The pages hold no data: they call the API with the token the user
// pasted. Immutable; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace slipway::http {

struct ConsoleFile {
  const char* name;          // "app.js": [a-z0-9._-], no directories
  const char* content_type;  // from the extension
  const char* data;
  size_t size;
};

// Every embedded file, sorted by name.
const std::vector<ConsoleFile>& ConsoleFiles();

// The file of that name, or null.
const ConsoleFile* FindConsoleFile(const std::string& name);

// The headers every console answer carries, 404s included: a CSP that allows scripts, styles,
// images and fetches from this origin only (no inline script or style, no frames, no forms),
// nosniff, no referrer.
inline constexpr const char* kConsoleCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

}  // namespace slipway::http
