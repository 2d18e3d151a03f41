// activities/site_url.h: the little URL handling verify's crawl needs (internal to activities/).
//
// Absolute http(s) URLs only; no IDN, no userinfo. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace slipway::activities {

struct SiteUrl {
  std::string scheme;     // "http" or "https", lower case
  std::string authority;  // host[:port], lower case
  std::string path;       // starts with '/', dot segments removed; includes ?query; no #fragment
  std::string Origin() const { return scheme + "://" + authority; }
  std::string ToString() const { return Origin() + path; }
  std::string Host() const;  // authority without the port
};

std::optional<SiteUrl> ParseSiteUrl(const std::string& text);
// Resolves href (as written in a page) against the page's URL. nullopt for links that are not
// http(s) (mailto:, tel:, javascript:, data:), bare fragments and malformed ones.
std::optional<SiteUrl> ResolveHref(const SiteUrl& base, const std::string& href);
// Every href="..." / href='...' value in an HTML page, in order (entities &amp; decoded).
std::vector<std::string> ExtractHrefs(const std::string& html);

}  // namespace slipway::activities
