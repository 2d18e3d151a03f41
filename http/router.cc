// http/router.cc: the route table and segment-wise matching.
#include "http/router.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include "http/errors.h"
#include "http/handlers.h"

namespace slipway::http {

namespace {

std::vector<std::string> Split(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 1;  // paths start with '/'
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

// Matches raw segments; parameters are decoded only after the split, so an encoded '/'
// stays inside its segment.
bool Match(const std::vector<std::string>& pattern, const std::vector<std::string>& raw,
           std::vector<std::string>& params) {
  if (pattern.size() != raw.size()) return false;
  params.clear();
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (!pattern[i].empty() && pattern[i].front() == '{') {
      if (raw[i].empty()) return false;
      std::string decoded;
      Poco::URI::decode(raw[i], decoded);
      params.push_back(decoded);
    } else if (pattern[i] != raw[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

const std::vector<Route>& Routes() {
  static const std::vector<Route> kRoutes = {
      {"GET", "/healthz", Access::kPublic, &HandleHealth, true},
      {"GET", "/metrics", Access::kMetrics, &HandleMetrics},
      {"GET", "/v1/stats", Access::kMetrics, &HandleStats},
      {"GET", "/v1/openapi.json", Access::kPublic, &HandleOpenApi, true},
      // The web console: static files that hold no data (console_handler.cc).
      {"GET", "/", Access::kPublic, &HandleConsoleIndex, true},
      {"GET", "/console/{file}", Access::kPublic, &HandleConsoleFile, true},
      {"GET", "/v1/whoami", Access::kRead, &HandleWhoAmI, true},
      {"POST", "/v1/tokens", Access::kAdmin, &HandleCreateToken},
      {"GET", "/v1/tokens", Access::kAdmin, &HandleListTokens},
      {"GET", "/v1/tenants", Access::kMetrics, &HandleListTenants},
      {"POST", "/v1/tokens/{id}/revoke", Access::kAdmin, &HandleRevokeToken},
      {"POST", "/v1/tokens/{id}/reveal", Access::kAdmin, &HandleRevealToken},
      {"POST", "/v1/workflows", Access::kStart, &HandleStartWorkflow},
      {"GET", "/v1/workflows", Access::kRead, &HandleListWorkflows},
      {"GET", "/v1/workflows/{id}", Access::kRead, &HandleGetWorkflow, true},
      {"GET", "/v1/workflows/{id}/history", Access::kRead, &HandleHistory},
      {"GET", "/v1/workflows/{id}/stream", Access::kRead, &HandleStream},
      {"POST", "/v1/workflows/{id}/cancel", Access::kCancel, &HandleCancelWorkflow},
      {"POST", "/v1/workflows/{id}/resume", Access::kResume, &HandleResumeWorkflow},
      {"POST", "/v1/workflows/{id}/signals/{name}", Access::kSignal, &HandleSignalWorkflow},
      // Authenticated by the delivery's signature, not a token (webhook_handler.cc).
      {"POST", "/v1/webhooks/github", Access::kPublic, &HandleGitHubWebhook},
  };
  return kRoutes;
}

namespace {

// The routes' patterns split into segments, once.
const std::vector<std::vector<std::string>>& SplitPatterns() {
  static const std::vector<std::vector<std::string>> kSplit = [] {
    std::vector<std::vector<std::string>> out;
    for (const Route& r : Routes()) out.push_back(Split(r.pattern));
    return out;
  }();
  return kSplit;
}

}  // namespace

Result<RouteMatch> MatchRoute(const std::string& method, const std::string& target) {
  const std::string path = target.substr(0, target.find('?'));
  if (path.empty() || path.front() != '/') return InvalidArgument("path", "malformed path");
  const std::vector<std::string> raw = Split(path);
  RouteMatch m;
  bool path_known = false;
  try {
    const std::vector<Route>& routes = Routes();
    for (size_t i = 0; i < routes.size(); ++i) {
      const Route& r = routes[i];
      if (!Match(SplitPatterns()[i], raw, m.params)) continue;
      path_known = true;
      if (method == r.method) {
        m.route = &r;
        return m;
      }
    }
  } catch (const Poco::Exception&) {
    return InvalidArgument("path", "malformed percent-encoding in path");
  }
  if (path_known) return MethodNotAllowed("method " + method + " is not allowed here");
  return NotFound("no such endpoint");
}

}  // namespace slipway::http
