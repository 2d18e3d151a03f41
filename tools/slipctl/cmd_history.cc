// tools/slipctl/cmd_history.cc: `slipctl history ID [--jsonl] [--page-size N]`: every event of
// a workflow's history, oldest first, paging through next_after. A table (data cut to fit) or
// JSON Lines with each event exactly as served.
#include "tools/slipctl/commands.h"
#include "tools/slipctl/render.h"

namespace slipway::slipctl {

using nlohmann::json;

int RunHistory(Context& ctx, const Argv& argv) {
  Result<Args> args = ParseArgs(argv, {{"page-size"}, {"jsonl"}}, 1, 1);
  if (!args.ok()) return Fail(ctx, args.status());
  Result<int> page = IntFlag(*args, "page-size", 1000, 1, 1000);
  if (!page.ok()) return Fail(ctx, page.status());
  const bool jsonl = args->Has("jsonl");
  std::vector<std::vector<std::string>> rows;
  Status st = ForEachEvent(ctx.api, args->positional[0], *page, [&](const json& e) {
    if (jsonl) {
      ctx.out << e.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
    } else {
      rows.push_back({Cell(e, "seq"), Cell(e, "at"), Cell(e, "type"), Cell(e, "step"),
                      Cell(e, "attempt"), Cell(e, "actor"), Truncate(Cell(e, "data"), 80)});
    }
    return Status::Ok();
  });
  if (!st.ok()) return Fail(ctx, st);
  if (!jsonl) PrintTable(ctx.out, {"SEQ", "AT", "TYPE", "STEP", "ATTEMPT", "ACTOR", "DATA"}, rows);
  return kExitOk;
}

}  // namespace slipway::slipctl
