#include "tools/slipwayd/server_config.h"

#include <cctype>

namespace slipway::server {

namespace {

Result<int> IntInRange(const std::string& name, const std::string& text, int min, int max) {
  try {
    size_t used = 0;
    int v = std::stoi(text, &used);
    if (used == text.size() && v >= min && v <= max) return v;
  } catch (const std::exception&) {
  }
  return InvalidArgument(name, "must be a whole number from " + std::to_string(min) + " to " +
                                   std::to_string(max));
}

// Sets `out` from the variable `name` when it is set and not empty: a whole number 1..max.
Status ReadPositiveInt(const activities::GetEnvFn& getenv, const std::string& name, int max,
                       int& out) {
  auto v = getenv(name);
  if (!v || v->empty()) return Status::Ok();
  Result<int> n = IntInRange(name, *v, 1, max);
  if (!n.ok()) return n.status();
  out = *n;
  return Status::Ok();
}

// Sets `out` from the variable `name` when it is set and not empty: on or off.
Status ReadOnOff(const activities::GetEnvFn& getenv, const std::string& name, bool& out) {
  auto v = getenv(name);
  if (!v || v->empty()) return Status::Ok();
  if (*v != "on" && *v != "off") return InvalidArgument(name, "must be on or off");
  out = *v == "on";
  return Status::Ok();
}

Status ParseListen(const std::string& text, ServerConfig& c) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return InvalidArgument("SLIPWAY_LISTEN", "expected host:port, e.g. 127.0.0.1:8080");
  }
  // Port 0 asks for an ephemeral port (tests); the log line names the one bound.
  Result<int> port = IntInRange("SLIPWAY_LISTEN", text.substr(colon + 1), 0, 65535);
  if (!port.ok()) return port.status();
  c.listen_host = text.substr(0, colon);
  c.listen_port = static_cast<uint16_t>(*port);
  return Status::Ok();
}

// http(s)://host[:port][/path], no query, fragment or credentials; the trailing '/' dropped.
Result<std::string> ParsePublicUrl(std::string url) {
  const Status bad = InvalidArgument(
      "SLIPWAY_PUBLIC_URL", "must be http(s)://host[:port][/path], e.g. https://slipway.example.com");
  const bool https = url.rfind("https://", 0) == 0;
  if (!https && url.rfind("http://", 0) != 0) return bad;
  const size_t host_at = https ? 8 : 7;
  if (url.size() > 2000 || url.size() == host_at || url[host_at] == '/' ||
      url.find_first_of("?#@ \t\r\n") != std::string::npos) {
    return bad;
  }
  while (url.back() == '/') url.pop_back();
  return url;
}

// A node name goes into lease owners and history: short, and nothing that needs quoting.
Status ReadNodeName(const activities::GetEnvFn& getenv, std::string& out) {
  auto v = getenv("SLIPWAY_NODE_NAME");
  if (!v || v->empty()) return Status::Ok();
  bool ok = v->size() <= 64;
  for (unsigned char ch : *v) {
    ok = ok && (std::isalnum(ch) || ch == '.' || ch == '_' || ch == ':' || ch == '-');
  }
  if (!ok) return InvalidArgument("SLIPWAY_NODE_NAME", "must be 1-64 of A-Z a-z 0-9 . _ : -");
  out = *v;
  return Status::Ok();
}

}  // namespace

bool IsPostgresUrl(const std::string& db) {
  return db.rfind("postgresql://", 0) == 0 || db.rfind("postgres://", 0) == 0;
}

std::string DbForLog(const std::string& db) {
  if (!IsPostgresUrl(db)) return db;
  const size_t scheme_end = db.find("://") + 3;
  std::string rest = db.substr(scheme_end);
  const size_t query = rest.find('?');
  if (query != std::string::npos) rest = rest.substr(0, query) + "?***";
  const size_t path = rest.find('/');
  const size_t at = rest.rfind('@', path == std::string::npos ? std::string::npos : path);
  if (at != std::string::npos) rest = "***" + rest.substr(at);
  return db.substr(0, scheme_end) + rest;
}

Result<ServerConfig> LoadServerConfig(const activities::GetEnvFn& getenv) {
  ServerConfig c;
  if (auto v = getenv("SLIPWAY_DB"); v && !v->empty()) c.db_path = *v;
  if (auto v = getenv("SLIPWAY_LISTEN"); v && !v->empty()) {
    SLIPWAY_RETURN_IF_ERROR(ParseListen(*v, c));
  }
  if (auto v = getenv("SLIPWAY_TOKENS")) c.tokens_path = *v;
  SLIPWAY_RETURN_IF_ERROR(ReadPositiveInt(getenv, "SLIPWAY_WORKERS", 1024, c.workers));
  SLIPWAY_RETURN_IF_ERROR(ReadPositiveInt(getenv, "SLIPWAY_MAX_BUILDS", 64, c.max_builds));
  SLIPWAY_RETURN_IF_ERROR(ReadPositiveInt(getenv, "SLIPWAY_READERS", 256, c.read_connections));
  SLIPWAY_RETURN_IF_ERROR(ReadPositiveInt(getenv, "SLIPWAY_HTTP_LOOPS", 64, c.http_loops));
  SLIPWAY_RETURN_IF_ERROR(
      ReadPositiveInt(getenv, "SLIPWAY_HTTP_HEAD_TIMEOUT_MS", 600'000, c.http_head_timeout_ms));
  SLIPWAY_RETURN_IF_ERROR(
      ReadPositiveInt(getenv, "SLIPWAY_HTTP_BODY_TIMEOUT_MS", 600'000, c.http_body_timeout_ms));
  SLIPWAY_RETURN_IF_ERROR(ReadPositiveInt(getenv, "SLIPWAY_HTTP_MAX_CONNECTIONS", 1'000'000,
                                          c.http_max_connections));
  SLIPWAY_RETURN_IF_ERROR(ReadPositiveInt(getenv, "SLIPWAY_HTTP_MAX_CONNECTIONS_PER_ADDRESS",
                                          1'000'000, c.http_max_connections_per_address));
  SLIPWAY_RETURN_IF_ERROR(ReadPositiveInt(getenv, "SLIPWAY_HTTP_MAX_WAITS_PER_PRINCIPAL", 100'000,
                                          c.http_max_waits_per_principal));
  if (auto v = getenv("SLIPWAY_SYNCHRONOUS"); v && !v->empty()) {
    if (*v != "FULL" && *v != "NORMAL") {
      return InvalidArgument("SLIPWAY_SYNCHRONOUS", "must be FULL or NORMAL");
    }
    c.synchronous_full = *v == "FULL";
  }
  if (auto v = getenv("SLIPWAY_WORK_DIR")) c.work_dir = *v;
  if (auto v = getenv("SLIPWAY_PUBLIC_URL"); v && !v->empty()) {
    Result<std::string> url = ParsePublicUrl(*v);
    if (!url.ok()) return url.status();
    c.public_url = *url;
  }
  Result<activities::EditPolicy> policy = activities::EditPolicyFromEnv(getenv);
  if (!policy.ok()) return policy.status();
  c.autofix_policy = *policy;
  Result<activities::LlmBudgetLimits> budget = activities::LlmBudgetLimitsFromEnv(getenv);
  if (!budget.ok()) return budget.status();
  c.llm_budget = *budget;
  if (auto v = getenv("SLIPWAY_CHROMIUM"); v && !v->empty()) c.chromium_path = *v;
  if (auto v = getenv("SLIPWAY_LIGHTHOUSE"); v && !v->empty()) c.lighthouse_path = *v;
  if (auto v = getenv("SLIPWAY_LIGHTHOUSE_PRESET"); v && !v->empty()) {
    if (*v != "desktop" && *v != "mobile") {
      return InvalidArgument("SLIPWAY_LIGHTHOUSE_PRESET", "must be desktop or mobile");
    }
    c.lighthouse_preset = *v;
  }
  SLIPWAY_RETURN_IF_ERROR(
      ReadPositiveInt(getenv, "SLIPWAY_DEPLOY_POLL_MS", 600'000, c.deploy_poll_ms));
  SLIPWAY_RETURN_IF_ERROR(ReadPositiveInt(getenv, "SLIPWAY_VERIFY_MAX_PAGES", 10'000,
                                          c.verify_max_pages));
  SLIPWAY_RETURN_IF_ERROR(ReadOnOff(getenv, "SLIPWAY_VERIFY_ALLOW_TRUNCATED",
                                    c.verify_allow_truncated));
  SLIPWAY_RETURN_IF_ERROR(ReadOnOff(getenv, "SLIPWAY_VERIFY_EXTERNAL_LINKS",
                                    c.verify_external_links));
  SLIPWAY_RETURN_IF_ERROR(ReadNodeName(getenv, c.node_name));
  return c;
}

}  // namespace slipway::server
