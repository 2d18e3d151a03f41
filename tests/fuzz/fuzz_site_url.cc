// tests/fuzz/fuzz_site_url.cc: a deployed page, as the tenant wrote it, through the crawler's
// URL code (activities/site_url.h).
//
// The bytes are the page: ExtractHrefs finds its links and each is resolved against the
// page's URL, as verify's crawl does. The first line is also tried as a URL of its own
// (ParseSiteUrl) and, when it parses, as the base for the links.
#include <cstddef>
#include <cstdint>
#include <string>

#include "activities/site_url.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace slipway::activities;
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string first_line = text.substr(0, text.find('\n'));
  std::optional<SiteUrl> base = ParseSiteUrl(first_line);
  if (base && base->path.empty()) __builtin_trap();  // paths start with '/'
  if (!base) base = ParseSiteUrl("https://site.example.com/blog/post?x=1");
  (void)ResolveHref(*base, first_line);
  for (const PageRef& ref : ExtractPageRefs(text).refs) (void)ResolveHref(*base, ref.url);
  (void)ParseSrcset(first_line);
  for (const std::string& href : ExtractHrefs(text)) {
    std::optional<SiteUrl> link = ResolveHref(*base, href);
    if (link) (void)link->ToString();
  }
  return 0;
}
