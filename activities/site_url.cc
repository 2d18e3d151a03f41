#include "activities/site_url.h"

#include <algorithm>
#include <cctype>

namespace slipway::activities {

namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool IsWordChar(char c) { return IsAsciiAlpha(c) || IsAsciiDigit(c) || c == '_'; }
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// ^[A-Za-z][A-Za-z0-9+.-]*: (a URI scheme, as in mailto: or https:).
bool HasScheme(const std::string& href) {
  if (href.empty() || !IsAsciiAlpha(href[0])) return false;
  size_t i = 1;
  while (i < href.size() && (IsAsciiAlpha(href[i]) || IsAsciiDigit(href[i]) || href[i] == '+' ||
                             href[i] == '.' || href[i] == '-')) {
    ++i;
  }
  return i < href.size() && href[i] == ':';
}

// value with every "&amp;" replaced by "&", in one pass.
std::string DecodeAmp(const char* begin, size_t size) {
  std::string out;
  out.reserve(size);
  for (size_t i = 0; i < size;) {
    if (i + 5 <= size && std::char_traits<char>::compare(begin + i, "&amp;", 5) == 0) {
      out += '&';
      i += 5;
    } else {
      out += begin[i++];
    }
  }
  return out;
}

bool HrefAt(const std::string& html, size_t at) {
  if (at + 4 > html.size() || (at > 0 && IsWordChar(html[at - 1]))) return false;
  static const char kWord[] = "href";
  for (size_t k = 0; k < 4; ++k) {
    if (std::tolower(static_cast<unsigned char>(html[at + k])) != kWord[k]) return false;
  }
  return true;
}

// At an `href` that starts at `at`: the bounds [*begin, *end) of its quoted value, or false.
// Matches \bhref\s*=\s*("[^"]*"|'[^']*') (case-insensitive), the pattern an earlier version ran
// through the standard regex library. A failed try reads as far as the next quote of its kind, and a later try
// cannot start before that quote, so every byte is read a bounded number of times.
bool QuotedValueAt(const std::string& html, size_t at, size_t* begin, size_t* end) {
  size_t i = at + 4;
  while (i < html.size() && IsSpace(html[i])) ++i;
  if (i >= html.size() || html[i] != '=') return false;
  ++i;
  while (i < html.size() && IsSpace(html[i])) ++i;
  if (i >= html.size() || (html[i] != '"' && html[i] != '\'')) return false;
  size_t close = html.find(html[i], i + 1);
  if (close == std::string::npos) return false;
  *begin = i + 1;
  *end = close;
  return true;
}

std::string DropFragment(const std::string& s) { return s.substr(0, s.find('#')); }

// RFC 3986 5.2.4, on the path part only (the query is kept as it is). One pass: `out` is the
// output buffer, and ".." drops its last "/segment" (segments never hold '/').
std::string RemoveDotSegments(const std::string& path_and_query) {
  const size_t path_end = std::min(path_and_query.find('?'), path_and_query.size());
  std::string out;
  bool trailing = false;
  for (size_t start = path_end == 0 || path_and_query[0] != '/' ? 0 : 1;;) {
    size_t end = std::min(path_and_query.find('/', start), path_end);
    size_t len = end - start;
    trailing = false;
    if (len == 2 && path_and_query.compare(start, 2, "..") == 0) {
      size_t last = out.rfind('/');
      if (last != std::string::npos) out.resize(last);
      trailing = true;
    } else if (len == 1 && path_and_query[start] == '.') {
      trailing = true;
    } else {
      out += '/';
      out.append(path_and_query, start, len);
    }
    if (end == path_end) break;
    start = end + 1;
  }
  if (out.empty() || (trailing && out.back() != '/')) out += "/";
  return out.append(path_and_query, path_end, std::string::npos);
}

}  // namespace

std::string SiteUrl::Host() const {
  if (!authority.empty() && authority.front() == '[')
    return authority.substr(0, authority.find(']') + 1);
  return authority.substr(0, authority.find(':'));
}

std::optional<SiteUrl> ParseSiteUrl(const std::string& text) {
  size_t sep = text.find("://");
  if (sep == std::string::npos) return std::nullopt;
  SiteUrl u;
  u.scheme = Lower(text.substr(0, sep));
  if (u.scheme != "http" && u.scheme != "https") return std::nullopt;
  std::string rest = DropFragment(text.substr(sep + 3));
  size_t slash = rest.find_first_of("/?");
  u.authority = Lower(rest.substr(0, slash));
  if (u.authority.empty() || u.authority.find('@') != std::string::npos) return std::nullopt;
  std::string path = slash == std::string::npos ? "/" : rest.substr(slash);
  if (path.front() == '?') path = "/" + path;
  u.path = RemoveDotSegments(path);
  return u;
}

std::optional<SiteUrl> ResolveHref(const SiteUrl& base, const std::string& raw) {
  std::string href = DropFragment(raw);
  size_t b = href.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return std::nullopt;  // empty or a bare #fragment
  href = href.substr(b, href.find_last_not_of(" \t\r\n") - b + 1);
  if (HasScheme(href)) return ParseSiteUrl(href);
  if (href.rfind("//", 0) == 0) return ParseSiteUrl(base.scheme + ":" + href);
  SiteUrl u = base;
  if (href.front() == '/') {
    u.path = RemoveDotSegments(href);
  } else if (href.front() == '?') {
    u.path = base.path.substr(0, base.path.find('?')) + href;
  } else {
    std::string dir = base.path.substr(0, base.path.find('?'));
    dir = dir.substr(0, dir.rfind('/') + 1);
    u.path = RemoveDotSegments(dir + href);
  }
  return u;
}

ExtractedHrefs ExtractHrefs(const std::string& html, const HrefLimits& limits) {
  ExtractedHrefs out;
  for (size_t i = 0; i < html.size();) {
    size_t begin = 0, end = 0;
    if ((html[i] != 'h' && html[i] != 'H') || !HrefAt(html, i) ||
        !QuotedValueAt(html, i, &begin, &end)) {
      ++i;
      continue;
    }
    i = end + 1;
    if (end - begin > limits.max_href_bytes) {
      ++out.too_long;
      continue;
    }
    if (out.hrefs.size() >= limits.max_hrefs) {
      out.truncated = true;
      break;
    }
    out.hrefs.push_back(DecodeAmp(html.data() + begin, end - begin));
  }
  return out;
}

std::vector<std::string> ExtractHrefs(const std::string& html) {
  return ExtractHrefs(html, HrefLimits{}).hrefs;
}

std::vector<std::string> ParseSrcset(const std::string& s) {
  std::vector<std::string> urls;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (IsSpace(s[i]) || s[i] == ',')) ++i;
    size_t begin = i;
    while (i < s.size() && !IsSpace(s[i])) ++i;
    if (begin == i) break;
    size_t end = i;
    bool ended_by_comma = false;
    while (end > begin && s[end - 1] == ',') {
      --end;
      ended_by_comma = true;
    }
    if (end > begin) urls.push_back(s.substr(begin, end - begin));
    if (ended_by_comma) continue;
    int depth = 0;  // descriptors: up to the next comma outside parentheses
    for (; i < s.size(); ++i) {
      if (s[i] == '(') ++depth;
      if (s[i] == ')' && depth > 0) --depth;
      if (s[i] == ',' && depth == 0) break;
    }
  }
  return urls;
}

namespace {

struct Attr {
  std::string name;   // lower case
  size_t begin = 0;   // value bounds in the page
  size_t end = 0;
};

// Reads one tag's attributes from `i` (just past the tag name) to its '>' (or the page's end);
// returns the index after the tag. Every byte is read once.
size_t ReadAttributes(const std::string& html, size_t i, std::vector<Attr>* attrs) {
  while (i < html.size() && html[i] != '>') {
    if (IsSpace(html[i]) || html[i] == '/') {
      ++i;
      continue;
    }
    Attr a;
    while (i < html.size() && !IsSpace(html[i]) && html[i] != '=' && html[i] != '>' &&
           html[i] != '/') {
      a.name += static_cast<char>(std::tolower(static_cast<unsigned char>(html[i++])));
      if (a.name.size() > 32) a.name.resize(32);  // no attribute we read is longer
    }
    while (i < html.size() && IsSpace(html[i])) ++i;
    if (i < html.size() && html[i] == '=') {
      ++i;
      while (i < html.size() && IsSpace(html[i])) ++i;
      if (i < html.size() && (html[i] == '"' || html[i] == '\'')) {
        size_t close = html.find(html[i], i + 1);
        a.begin = i + 1;
        a.end = close == std::string::npos ? html.size() : close;
        i = a.end + 1;
      } else {
        a.begin = i;
        while (i < html.size() && !IsSpace(html[i]) && html[i] != '>') ++i;
        a.end = i;
      }
    }
    if (a.name.empty()) {
      ++i;  // a stray '=' or quote
      continue;
    }
    attrs->push_back(std::move(a));
  }
  return i + 1;
}

bool IsStylesheet(const std::string& rel) {
  std::string lower = Lower(rel);
  for (size_t at = lower.find("stylesheet"); at != std::string::npos;
       at = lower.find("stylesheet", at + 1)) {
    bool start = at == 0 || IsSpace(lower[at - 1]);
    bool end = at + 10 == lower.size() || IsSpace(lower[at + 10]);
    if (start && end) return true;
  }
  return false;
}

// The references of one tag, in attribute order.
void TagRefs(const std::string& html, const std::string& tag, const std::vector<Attr>& attrs,
             std::vector<PageRef>* out) {
  auto value = [&](const Attr& a) { return DecodeAmp(html.data() + a.begin, a.end - a.begin); };
  bool stylesheet = false;
  for (const Attr& a : attrs) {
    if (tag == "link" && a.name == "rel") stylesheet = IsStylesheet(value(a));
  }
  using Kind = PageRef::Kind;
  for (const Attr& a : attrs) {
    if (a.name == "href" && (tag == "a" || tag == "area")) {
      out->push_back({Kind::kLink, value(a)});
    } else if (a.name == "href" && tag == "link") {
      out->push_back({stylesheet ? Kind::kAsset : Kind::kLink, value(a)});
    } else if (a.name == "src" && (tag == "img" || tag == "script" || tag == "source")) {
      out->push_back({Kind::kAsset, value(a)});
    } else if (a.name == "srcset" && (tag == "img" || tag == "source")) {
      for (std::string& u : ParseSrcset(value(a))) out->push_back({Kind::kAsset, std::move(u)});
    } else if (a.name == "poster" && tag == "video") {
      out->push_back({Kind::kAsset, value(a)});
    }
  }
}

}  // namespace

ExtractedRefs ExtractPageRefs(const std::string& html, const HrefLimits& limits) {
  ExtractedRefs out;
  std::vector<PageRef> found;
  for (size_t i = html.find('<'); i != std::string::npos && i < html.size();
       i = html.find('<', i)) {
    if (html.compare(i, 4, "<!--") == 0) {
      size_t close = html.find("-->", i + 4);
      i = close == std::string::npos ? html.size() : close + 3;
      continue;
    }
    ++i;
    std::string tag;
    while (i < html.size() && (IsAsciiAlpha(html[i]) || IsAsciiDigit(html[i])) && tag.size() < 16) {
      tag += static_cast<char>(std::tolower(static_cast<unsigned char>(html[i++])));
    }
    if (tag.empty()) continue;
    std::vector<Attr> attrs;
    i = ReadAttributes(html, i, &attrs);
    found.clear();
    TagRefs(html, tag, attrs, &found);
    for (PageRef& ref : found) {
      if (ref.url.size() > limits.max_href_bytes) {
        ++out.too_long;
        continue;
      }
      if (out.refs.size() >= limits.max_hrefs) {
        out.truncated = true;
        return out;
      }
      out.refs.push_back(std::move(ref));
    }
  }
  return out;
}

}  // namespace slipway::activities
