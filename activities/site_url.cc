#include "activities/site_url.h"

#include <cctype>
#include <regex>

namespace slipway::activities {

namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string DropFragment(const std::string& s) { return s.substr(0, s.find('#')); }

// RFC 3986 5.2.4, on the path part only (the query is kept as it is).
std::string RemoveDotSegments(const std::string& path_and_query) {
  size_t q = path_and_query.find('?');
  std::string path = path_and_query.substr(0, q);
  std::string query = q == std::string::npos ? "" : path_and_query.substr(q);
  std::vector<std::string> segs;
  std::vector<std::string> in;
  for (size_t start = path.empty() || path[0] != '/' ? 0 : 1;;) {
    size_t end = path.find('/', start);
    in.push_back(path.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  bool trailing = false;
  for (size_t i = 0; i < in.size(); ++i) {
    trailing = false;
    if (in[i] == "..") {
      if (!segs.empty()) segs.pop_back();
      trailing = true;
    } else if (in[i] == ".") {
      trailing = true;
    } else {
      segs.push_back(in[i]);
    }
  }
  std::string out;
  for (size_t i = 0; i < segs.size(); ++i) out += "/" + segs[i];
  if (out.empty() || (trailing && out.back() != '/')) out += "/";
  return out + query;
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
  static const std::regex scheme(R"(^[A-Za-z][A-Za-z0-9+.\-]*:)");
  if (std::regex_search(href, scheme)) return ParseSiteUrl(href);
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

std::vector<std::string> ExtractHrefs(const std::string& html) {
  static const std::regex href(R"re(\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'))re", std::regex::icase);
  std::vector<std::string> out;
  for (std::sregex_iterator it(html.begin(), html.end(), href), end; it != end; ++it) {
    std::string v = (*it)[1].matched ? (*it)[1].str() : (*it)[2].str();
    for (size_t p = v.find("&amp;"); p != std::string::npos; p = v.find("&amp;", p + 1)) {
      v.replace(p, 5, "&");
    }
    out.push_back(v);
  }
  return out;
}

}  // namespace slipway::activities
