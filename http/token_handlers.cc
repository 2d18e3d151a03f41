// http/token_handlers.cc: API tokens kept in the store (api_tokens.h), ops only:
//   POST /v1/tokens {"name", "role"} -> 201 {the token's record, "token": the secret, shown once}
//   GET  /v1/tokens                  -> 200 {"tokens": [records without secrets or hashes]}
//   POST /v1/tokens/{id}/revoke      -> 200 the record, revoked (every node refuses it within 1 s)
//   POST /v1/tokens/{id}/reveal      -> 200 {the record, "token"}: a minted token's secret, once
#include "http/api_tokens.h"
#include "http/errors.h"
#include "http/handlers.h"
#include "http/json_body.h"

namespace slipway::http {

namespace {

Result<std::string> RequiredString(const nlohmann::json& body, const std::string& field) {
  Result<std::string> v = OptionalString(body, field, 200);
  if (!v.ok()) return v.status();
  if (v->empty()) return InvalidArgument(field, field + " is required");
  return v;
}

}  // namespace

void HandleCreateToken(ApiServices& s, Exchange& ex) {
  Result<nlohmann::json> body = ReadJsonObject(ex.req, s.limits(), {"name", "role"}, false);
  if (!body.ok()) return WriteError(ex.resp, body.status());
  Result<std::string> name = RequiredString(*body, "name");
  if (!name.ok()) return WriteError(ex.resp, name.status());
  Result<std::string> role = RequiredString(*body, "role");
  if (!role.ok()) return WriteError(ex.resp, role.status());
  Result<NewApiToken> made = s.api_tokens.Create(*name, *role, ex.caller.actor);
  if (!made.ok()) return WriteError(ex.resp, made.status());
  nlohmann::json out = made->token.ToJson();
  out["token"] = made->secret;
  ex.resp.set("Cache-Control", "no-store");
  WriteJson(ex.resp, 201, out);
}

void HandleListTokens(ApiServices& s, Exchange& ex) {
  Result<Query> q = ParseQuery(ex.req.getURI(), {});
  if (!q.ok()) return WriteError(ex.resp, q.status());
  Result<std::vector<ApiToken>> all = s.api_tokens.List();
  if (!all.ok()) return WriteError(ex.resp, all.status());
  nlohmann::json tokens = nlohmann::json::array();
  for (const ApiToken& t : *all) tokens.push_back(t.ToJson());
  WriteJson(ex.resp, 200, {{"tokens", tokens}});
}

void HandleRevokeToken(ApiServices& s, Exchange& ex) {
  Result<nlohmann::json> body = ReadJsonObject(ex.req, s.limits(), {}, true);
  if (!body.ok()) return WriteError(ex.resp, body.status());
  Result<ApiToken> revoked = s.api_tokens.Revoke(ex.params[0], ex.caller.actor);
  if (!revoked.ok()) return WriteError(ex.resp, revoked.status());
  WriteJson(ex.resp, 200, revoked->ToJson());
}

void HandleRevealToken(ApiServices& s, Exchange& ex) {
  Result<nlohmann::json> body = ReadJsonObject(ex.req, s.limits(), {}, true);
  if (!body.ok()) return WriteError(ex.resp, body.status());
  Result<NewApiToken> revealed = s.api_tokens.Reveal(ex.params[0], ex.caller.actor);
  if (!revealed.ok()) return WriteError(ex.resp, revealed.status());
  nlohmann::json out = revealed->token.ToJson();
  out["token"] = revealed->secret;
  ex.resp.set("Cache-Control", "no-store");
  WriteJson(ex.resp, 200, out);
}

}  // namespace slipway::http
