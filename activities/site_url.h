// activities/site_url.h: the little URL handling verify's crawl needs (internal to activities/).
//
// Absolute http(s) URLs only; no IDN, no userinfo. Pages and links are untrusted (any bytes,
// any length): everything here scans in linear time without regex or recursion. Pure
// functions; thread-safe.
#pragma once

#include <cstddef>
#include <limits>
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

struct HrefLimits {
  size_t max_hrefs = std::numeric_limits<size_t>::max();       // values returned, at most
  size_t max_href_bytes = std::numeric_limits<size_t>::max();  // longer values are skipped
};
struct ExtractedHrefs {
  std::vector<std::string> hrefs;
  size_t too_long = 0;     // values skipped for max_href_bytes
  bool truncated = false;  // max_hrefs was reached: later values were not read
};
// The same within limits (the crawler's): a skipped value is not cut, it is left out whole.
ExtractedHrefs ExtractHrefs(const std::string& html, const HrefLimits& limits);

// What a page refers to, as a browser would load or follow it.
struct PageRef {
  enum class Kind { kLink, kAsset };
  Kind kind = Kind::kLink;
  std::string url;  // as written (entities &amp; decoded), to resolve with ResolveHref
};
struct ExtractedRefs {
  std::vector<PageRef> refs;
  size_t too_long = 0;
  bool truncated = false;
};
// Scans the page's tags (a linear pass: tag names and attributes, comments skipped):
//   links   <a href>, <area href>, <link href> other than stylesheets
//   assets  <img src>, <img srcset>, <script src>, <link rel~=stylesheet href>,
//           <source src>, <source srcset>, <video poster>
// Unquoted attribute values count as well as quoted ones. Limits as ExtractHrefs's.
ExtractedRefs ExtractPageRefs(const std::string& html, const HrefLimits& limits = {});
// The URLs of a srcset attribute ("a.png 1x, b.png 2x"), by the HTML standard's candidate
// rules: a URL is a run of non-space characters, trailing commas end it; descriptors run to the
// next comma outside parentheses.
std::vector<std::string> ParseSrcset(const std::string& srcset);

}  // namespace slipway::activities
