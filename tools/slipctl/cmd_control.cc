// tools/slipctl/cmd_control.cc: the mutating verbs on one workflow:
//   slipctl cancel ID [--reason R]            POST /v1/workflows/{id}/cancel
//   slipctl resume ID [--reason R]            POST /v1/workflows/{id}/resume (ops)
//   slipctl signal ID NAME [--data JSON|@file] [--reason R]
//                                             POST /v1/workflows/{id}/signals/{name}
// Each prints "<verb> accepted: <id> is <status>" (or the workflow as JSON with --json).
// The server records who asked (the token's role and name) and the reason in the history.
#include "tools/slipctl/commands.h"
#include "tools/slipctl/render.h"

namespace slipway::slipctl {

using nlohmann::json;

namespace {

int Report(Context& ctx, const Args& args, const std::string& verb, const ApiReply& r) {
  if (args.Has("json")) {
    ctx.out << r.body.dump() << "\n";
  } else {
    ctx.out << verb << " accepted: " << Cell(r.body, "id") << " is " << Cell(r.body, "status")
            << "\n";
  }
  return kExitOk;
}

json ReasonBody(const Args& args) {
  json body = json::object();
  if (auto reason = args.Get("reason")) body["reason"] = *reason;
  return body;
}

int RunOnePost(Context& ctx, const Argv& argv, const std::string& verb) {
  Result<Args> args = ParseArgs(argv, {{"reason"}, {"json"}}, 1, 1);
  if (!args.ok()) return Fail(ctx, args.status());
  Result<ApiReply> r = ctx.api.Post("/v1/workflows/" + UrlEncode(args->positional[0]) + "/" + verb,
                                    ReasonBody(*args));
  if (!r.ok()) return Fail(ctx, r.status());
  return Report(ctx, *args, verb, *r);
}

}  // namespace

int RunCancel(Context& ctx, const Argv& argv) { return RunOnePost(ctx, argv, "cancel"); }

int RunResume(Context& ctx, const Argv& argv) { return RunOnePost(ctx, argv, "resume"); }

int RunSignal(Context& ctx, const Argv& argv) {
  Result<Args> args = ParseArgs(argv, {{"data", "reason"}, {"json"}}, 2, 2);
  if (!args.ok()) return Fail(ctx, args.status());
  json body = ReasonBody(*args);
  if (auto data = args->Get("data")) {
    Result<json> j = JsonArgument(*data, "data");
    if (!j.ok()) return Fail(ctx, UsageError("--data: " + j.status().message()));
    body["data"] = *j;
  }
  Result<ApiReply> r = ctx.api.Post("/v1/workflows/" + UrlEncode(args->positional[0]) +
                                        "/signals/" + UrlEncode(args->positional[1]),
                                    body);
  if (!r.ok()) return Fail(ctx, r.status());
  return Report(ctx, *args, "signal " + args->positional[1], *r);
}

}  // namespace slipway::slipctl
