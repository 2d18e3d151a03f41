// tests/fuzz/fuzz_json_body.cc: request bodies and query strings, as a client sends them.
//
// The bytes are read as a body (ReadBody with a small cap), parsed as the start request's JSON
// object (ParseJsonObject with the server's depth limit and field list, then OptionalString
// on its fields), and read as a request target's query string (ParseQuery with the lists the
// handlers use, then IntParam). None of it may throw: the handlers do not expect it.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "http/json_body.h"

namespace {

using namespace slipway;

void ReadAsBody(const std::string& text) {
  std::istringstream in(text);
  (void)http::ReadBody(in, -1, 256);
  std::istringstream again(text);
  (void)http::ReadBody(again, static_cast<int64_t>(text.size()), 1 << 20);
}

void ParseAsStartRequest(const std::string& text) {
  Result<nlohmann::json> body =
      http::ParseJsonObject(text, 32, {"type", "tenant", "input", "id"});
  if (!body.ok()) return;
  if (!body->is_object()) __builtin_trap();  // the contract: an object or an error
  for (const char* field : {"type", "tenant", "id"}) (void)http::OptionalString(*body, field, 128);
}

void ParseAsQuery(const std::string& text) {
  for (const std::string& uri : {text, "/v1/workflows?" + text}) {
    Result<http::Query> q = http::ParseQuery(uri, {"tenant", "status", "type", "limit", "cursor",
                                                   "wait", "after"});
    if (!q.ok()) continue;
    (void)http::IntParam(*q, "limit", 50, 1, 500);
    (void)http::IntParam(*q, "wait", 0, 0, 60);
    Result<int64_t> after = http::IntParam(*q, "after", 0, 0, INT64_MAX);
    if (after.ok() && *after < 0) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  ReadAsBody(text);
  ParseAsStartRequest(text);
  ParseAsQuery(text);
  return 0;
}
