// workflows/website_data.h: the schema of a deployment's `website_data` (the tenant's site
// content: `save` commits it as websiteData.json, the template site's build renders it into
// HTML) and the check the deployment's input validation runs on it. The same schema is
// documented in docs/openapi.json (components.schemas.WebsiteData) and checked again by the
// template site's own build (tests/fixtures/site/src/check.ts).
//
//   siteName      string 1..100, one line                        required
//   tagline       string 0..200, one line                        optional
//   contactEmail  e-mail address (HTML <input type=email> rules), at most 254 (64 before '@')
//   pages         array of 1..50 pages                           required
//     slug        1..64 of [a-z0-9-], no leading/trailing '-', unique: becomes <slug>.html
//     title       string 1..200, one line                        required
//     body        string 0..100000 (newlines allowed)            optional
//   links         array of 0..20 {label 1..100 one line, href}   optional
//     href        at most 2048: http(s)://, mailto:<e-mail>, tel:<digits>, or relative (not //)
//   custom        object of 0..50 entries, key 1..64 of [A-Za-z0-9_-], value a string 0..2000,
//                 a number, a boolean or null: the template's own settings (not rendered here)
// Lengths count Unicode code points. "One line": no control characters; body and tagline
// allow newlines and tabs. Any other key, at any level outside `custom`, is refused: an
// editor that sends a misspelt key hears so instead of losing the value.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string_view>

#include "engine/base/status.h"

namespace slipway::workflows {

inline constexpr size_t kMaxPages = 50;
inline constexpr size_t kMaxSlugLength = 64;
inline constexpr size_t kMaxPageBodyLength = 100000;
inline constexpr size_t kMaxLinks = 20;
inline constexpr size_t kMaxHrefLength = 2048;
inline constexpr size_t kMaxEmailLength = 254;
inline constexpr size_t kMaxCustomEntries = 50;

// Ok, or kInvalidArgument whose field is the path of the first offending value under
// "website_data", e.g. "website_data.pages[3].slug". Never throws.
Status ValidateWebsiteData(const nlohmann::json& data);
// Ok when `in` has no "website_data"; otherwise ValidateWebsiteData of it.
Status CheckOptionalWebsiteData(const nlohmann::json& in);

// The pieces, each as the template's build checks it again.
bool IsValidSlug(std::string_view slug);
bool IsValidEmail(std::string_view email);
// An href a page may carry: no script schemes, no protocol-relative or backslash tricks, no
// whitespace or control characters (browsers drop those from "java\tscript:").
bool IsSafeHref(std::string_view href);

}  // namespace slipway::workflows
