// tools/emulator/site_routes.cc: serves READY deployments' pages on loopback, for `verify`.
//
// A request reaches a site either with a Host header naming it (a deployment url,
// <project>.vercel.app, or a verified custom domain; e.g. curl --connect-to) or at
// /_sites/<host>/<path>, or with a Host header <host>.localhost (a browser's way in). Nothing is built: a page is synthesised per route file of the source
// snapshot (pages/ or app/, optionally under src/; index and page files; .tsx .ts .jsx .js
// .mdx; not _app, _document or api/), holding every href="..." written in that file as a link,
// so a broken-link crawl sees the site's real link graph. Files under public/ are served as they
// are, with the content type of their extension (a browser ignores a stylesheet served as
// octet-stream; verify's Lighthouse runs load these files). A snapshot with websiteData.json
// (the template site) gets the pages its build would write (links to every page, the footer's
// mailto: link, values escaped). Anything else is 404.
#include <nlohmann/json.hpp>
#include <optional>

#include "tools/emulator/emulator_state.h"
#include "tools/emulator/text_scan.h"

namespace slipway::emulator {

namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string StripSrc(const std::string& path) {
  return path.rfind("src/", 0) == 0 ? path.substr(4) : path;
}

// "pages/blog/index.tsx" -> "/blog", "app/about/page.tsx" -> "/about"; empty if not a page.
std::string RouteOf(const std::string& file) {
  std::string p = StripSrc(file);
  size_t dot = p.rfind('.');
  if (dot == std::string::npos) return "";
  std::string ext = p.substr(dot);
  if (ext != ".tsx" && ext != ".ts" && ext != ".jsx" && ext != ".js" && ext != ".mdx") return "";
  std::string stem = p.substr(0, dot);
  std::string route;
  if (stem.rfind("pages/", 0) == 0) {
    route = stem.substr(5);
    if (route.rfind("/api/", 0) == 0 || route.find("/_") != std::string::npos) return "";
    if (EndsWith(route, "/index")) route.resize(route.size() - 6);
  } else if (stem.rfind("app/", 0) == 0 && EndsWith("/" + stem, "/page")) {
    route = "/" + stem.substr(4);
    route.resize(route.size() - 5);  // drop "page"
    if (route.size() > 1 && route.back() == '/') route.pop_back();
  } else {
    return "";
  }
  return route.empty() ? "/" : route;
}

std::string ContentTypeOf(const std::string& path) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {".html", "text/html; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"}, {".json", "application/json"},
      {".svg", "image/svg+xml"}, {".png", "image/png"}, {".jpg", "image/jpeg"},
      {".webp", "image/webp"}, {".txt", "text/plain; charset=utf-8"}};
  for (const auto& [ext, type] : kTypes) {
    if (EndsWith(path, ext)) return type;
  }
  return "application/octet-stream";
}

std::string PageHtml(const std::string& route, const std::string& source) {
  std::string html = "<!doctype html><html><head><title>" + route + "</title></head><body>\n";
  for (const std::string& href : SourceHrefs(source)) {
    html += "<a href=\"" + href + "\">" + href + "</a>\n";
  }
  return html + "</body></html>\n";
}

// Text and double-quoted attribute values, as the template's src/html.ts escapes them.
std::string EscapeHtml(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// A site generated from websiteData.json (the template site's build writes one
// <slug>.html per page, index.html for "index", each linking to every page): the page
// at `path`, or nothing when the snapshot has no such data or page.
std::optional<std::string> WebsiteDataPage(const Deployment& d, const std::string& path) {
  auto data_file = d.files.find("websiteData.json");
  if (data_file == d.files.end()) return std::nullopt;
  nlohmann::json data = nlohmann::json::parse(data_file->second, nullptr, false);
  if (!data.is_object() || !data.contains("pages") || !data["pages"].is_array()) {
    return std::nullopt;
  }
  auto href = [](const std::string& slug) { return slug == "index" ? "index.html" : slug + ".html"; };
  std::string wanted = path == "/" ? "index.html" : path.substr(1);
  std::string links;
  const nlohmann::json* found = nullptr;
  for (const auto& page : data["pages"]) {
    if (!page.is_object() || !page.contains("slug") || !page["slug"].is_string()) continue;
    std::string h = href(page["slug"].get<std::string>());
    links += "<a href=\"" + h + "\">" + h + "</a>\n";
    if (h == wanted) found = &page;
  }
  if (found == nullptr) return std::nullopt;
  // The template's footer links to the contact address (escaped, as its build does), so a
  // crawl sees that href too. Its `links` are left out: a crawl would leave the emulator.
  std::string footer;
  if (data.contains("contactEmail") && data["contactEmail"].is_string()) {
    footer = "<footer><a href=\"mailto:" + EscapeHtml(data["contactEmail"].get<std::string>()) +
             "\">contact</a></footer>\n";
  }
  return "<!doctype html><html><head><title>" + EscapeHtml(found->value("title", std::string())) +
         "</title></head><body>\n" + links + footer + "</body></html>\n";
}

EmuResponse Serve(const Deployment& d, std::string path) {
  if (path.empty()) path = "/";
  if (path.size() > 1 && path.back() == '/') path.pop_back();
  auto pub = d.files.find("public" + path);
  if (pub != d.files.end()) {
    EmuResponse r;
    r.body = pub->second;
    r.content_type = ContentTypeOf(path);
    return r;
  }
  for (const auto& [file, content] : d.files) {
    if (RouteOf(file) != path) continue;
    EmuResponse r;
    r.body = PageHtml(path, content);
    r.content_type = "text/html; charset=utf-8";
    return r;
  }
  if (std::optional<std::string> page = WebsiteDataPage(d, path)) {
    EmuResponse r;
    r.body = *page;
    r.content_type = "text/html; charset=utf-8";
    return r;
  }
  EmuResponse r;
  r.status = 404;
  r.body = "<!doctype html><html><body>404: This page could not be found.</body></html>\n";
  r.content_type = "text/html; charset=utf-8";
  return r;
}

}  // namespace

std::string SiteHost(const EmuRequest& req) {
  std::string host = req.Header("host");
  size_t colon = host.rfind(':');
  if (colon != std::string::npos) host.resize(colon);
  // <site>.localhost names <site>: a browser resolves *.localhost to loopback by itself and
  // loads it over plain http, whereas *.vercel.app is HSTS-preloaded (.app) and only loads
  // over https (verify's Lighthouse, activities/verify.h).
  static const std::string kLocal = ".localhost";
  if (EndsWith(host, kLocal) && host.size() > kLocal.size()) host.resize(host.size() - kLocal.size());
  return host;
}

EmuResponse HandleSite(EmulatorState& s, const EmuRequest& req) {
  s.vercel.Advance(s.clock.NowMs());
  std::string host = SiteHost(req);
  std::string path = req.path;
  if (path.rfind("/_sites/", 0) == 0) {
    size_t slash = path.find('/', 8);
    host = path.substr(8, slash == std::string::npos ? std::string::npos : slash - 8);
    path = slash == std::string::npos ? "/" : path.substr(slash);
  }
  const Deployment* d = s.vercel.SiteFor(host);
  if (d == nullptr) {
    return Json(404, {{"error", {{"code", "DEPLOYMENT_NOT_FOUND"},
                                 {"message", "The deployment could not be found."}}}});
  }
  if (req.method != "GET" && req.method != "HEAD") return Empty(405);
  return Serve(*d, path);
}

bool IsSiteRequest(EmulatorState& s, const EmuRequest& req) {
  if (req.path.rfind("/_sites/", 0) == 0) return true;
  std::string host = SiteHost(req);
  if (host.empty() || host == "127.0.0.1" || host == "localhost" || host == "[::1]") return false;
  return s.vercel.SiteFor(host) != nullptr;
}

}  // namespace slipway::emulator
