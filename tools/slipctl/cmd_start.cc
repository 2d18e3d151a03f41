// tools/slipctl/cmd_start.cc: `slipctl start TYPE --tenant T [--id ID] [--input JSON|@file]
// [--json]`: POST /v1/workflows. Prints "created <id> ..." (201) or "exists <id> ..." (200,
// the same id and request again); --json prints the workflow as served.
#include "tools/slipctl/commands.h"
#include "tools/slipctl/render.h"

namespace slipway::slipctl {

using nlohmann::json;

namespace {

Result<json> StartBody(const Args& args) {
  json body = {{"type", args.positional[0]}};
  std::optional<std::string> tenant = args.Get("tenant");
  if (!tenant || tenant->empty()) return UsageError("start needs --tenant T");
  body["tenant"] = *tenant;
  if (auto id = args.Get("id")) body["id"] = *id;
  if (auto input = args.Get("input")) {
    Result<json> j = JsonArgument(*input, "input");
    if (!j.ok()) return UsageError("--input: " + j.status().message());
    if (!j->is_object()) return UsageError("--input must be a JSON object");
    body["input"] = *j;
  }
  return body;
}

}  // namespace

int RunStart(Context& ctx, const Argv& argv) {
  Result<Args> args = ParseArgs(argv, {{"tenant", "id", "input"}, {"json"}}, 1, 1);
  if (!args.ok()) return Fail(ctx, args.status());
  Result<json> body = StartBody(*args);
  if (!body.ok()) return Fail(ctx, body.status());
  Result<ApiReply> r = ctx.api.Post("/v1/workflows", *body);
  if (!r.ok()) return Fail(ctx, r.status());
  if (args->Has("json")) {
    ctx.out << r->body.dump() << "\n";
    return kExitOk;
  }
  ctx.out << (r->status == 201 ? "created " : "exists ") << Cell(r->body, "id") << " ("
          << Cell(r->body, "type") << ", tenant " << Cell(r->body, "tenant")
          << "): " << Cell(r->body, "status") << "\n";
  return kExitOk;
}

}  // namespace slipway::slipctl
