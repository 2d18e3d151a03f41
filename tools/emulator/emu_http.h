// tools/emulator/emu_http.h: the emulator's own request/response values and small helpers.
//
// Route files work on these plain structs, not on Poco types, so each route is a function from
// (state, request) to response that a unit test could call directly. Values; no shared state.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace slipway::emulator {

struct EmuRequest {
  std::string method;
  std::string path;                           // percent-decoded, no query
  std::map<std::string, std::string> query;   // decoded
  std::map<std::string, std::string> headers; // names lower-cased
  std::string body;
  std::string base_url;                       // http://host:port as the client addressed us
  std::string peer;                           // client address "ip:port" (shows connection reuse)

  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
  std::string Query(const std::string& name) const {
    auto it = query.find(name);
    return it == query.end() ? std::string() : it->second;
  }
};

// A webhook delivery the emulated GitHub owes a hook (webhooks.h): sent by Dispatch after the
// request that caused it is handled, before that request is answered.
struct WebhookDelivery {
  int64_t hook_id = 0;
  std::string repo;   // full name
  std::string url;
  std::string event;  // "push", "ping"
  std::string guid;   // X-GitHub-Delivery
  std::string body;
  std::string signature;  // X-Hub-Signature-256, "" without a secret
  bool redelivery = false;
};

struct EmuResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string content_type = "application/json; charset=utf-8";
  std::string effect;   // request-log effect kind, e.g. "repo_created"; empty for reads
  std::string subject;  // what the effect touched, e.g. "acme/tenant-foo"
  std::vector<WebhookDelivery> deliveries;  // owed because of this request
};

inline EmuResponse Json(int status, const nlohmann::json& body) {
  EmuResponse r;
  r.status = status;
  r.body = body.dump();
  return r;
}

inline EmuResponse Empty(int status) {
  EmuResponse r;
  r.status = status;
  r.content_type.clear();
  return r;
}

// Splits "/a/b/c" into {"a","b","c"}.
std::vector<std::string> SplitPath(const std::string& path);

// Matches segments against a pattern such as {"repos","*","*","contents","**"}: "*" captures one
// segment, a trailing "**" captures the rest joined with '/' (possibly empty).
bool MatchRoute(const std::vector<std::string>& segments, const std::vector<std::string>& pattern,
                std::vector<std::string>* captures);

// Parses a JSON object body; an invalid or non-object body gives a null json.
nlohmann::json ParseObject(const std::string& body);

std::string Base64Encode(const std::string& data);
bool Base64Decode(const std::string& text, std::string* out);  // ignores whitespace
std::string Sha1Hex(const std::string& data);
std::string RandomHex(size_t chars);  // not for secrets: ids only

}  // namespace slipway::emulator
