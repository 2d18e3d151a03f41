// tools/slipctl/cmd_get.cc: `slipctl get ID [--json]`: GET /v1/workflows/{id}, shown as a
// header and a step table (render.h), or the JSON as served.
#include "tools/slipctl/commands.h"
#include "tools/slipctl/render.h"

namespace slipway::slipctl {

int RunGet(Context& ctx, const Argv& argv) {
  Result<Args> args = ParseArgs(argv, {{}, {"json"}}, 1, 1);
  if (!args.ok()) return Fail(ctx, args.status());
  Result<ApiReply> r = ctx.api.Get("/v1/workflows/" + UrlEncode(args->positional[0]));
  if (!r.ok()) return Fail(ctx, r.status());
  if (args->Has("json")) {
    ctx.out << r->body.dump() << "\n";
    return kExitOk;
  }
  for (const auto& line : WorkflowLines(r->body)) ctx.out << line << "\n";
  return kExitOk;
}

}  // namespace slipway::slipctl
