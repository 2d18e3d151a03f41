// tools/slipctl/cmd_list.cc: `slipctl list [--tenant T] [--status S] [--type T]
// [--created-after TIME] [--created-before TIME] [--limit N] [--all] [--json]`: GET
// /v1/workflows, newest first, as a table (or JSON Lines with --json). TIME is RFC 3339 UTC
// (2026-12-06T00:00:00Z); after is inclusive, before exclusive; the server checks both and
// names the field it refuses.
// --limit is the page size; --all follows next_cursor to the end, otherwise a note on stderr
// says that more pages exist.
#include "tools/slipctl/commands.h"
#include "tools/slipctl/render.h"

namespace slipway::slipctl {

using nlohmann::json;

namespace {

Result<std::string> ListQueryString(const Args& args) {
  std::string q;
  for (const char* key : {"tenant", "status", "type"}) {
    if (auto v = args.Get(key)) q += std::string(q.empty() ? "" : "&") + key + "=" + UrlEncode(*v);
  }
  for (const auto& [flag, param] : {std::pair<const char*, const char*>{"created-after", "created_after"},
                                    {"created-before", "created_before"}}) {
    if (auto v = args.Get(flag)) q += std::string(q.empty() ? "" : "&") + param + "=" + UrlEncode(*v);
  }
  Result<int> limit = IntFlag(args, "limit", 50, 1, 500);
  if (!limit.ok()) return limit.status();
  q += std::string(q.empty() ? "" : "&") + "limit=" + std::to_string(*limit);
  return q;
}

std::vector<std::string> Row(const json& w) {
  // No step column: list pages carry instances without their steps (GET shows them).
  return {Cell(w, "id"),     Cell(w, "type"),       Cell(w, "tenant"),
          Cell(w, "status"), Cell(w, "created_at"), Cell(w, "updated_at")};
}

}  // namespace

int RunList(Context& ctx, const Argv& argv) {
  Result<Args> args =
      ParseArgs(argv,
                {{"tenant", "status", "type", "created-after", "created-before", "limit"},
                 {"all", "json"}},
                0, 0);
  if (!args.ok()) return Fail(ctx, args.status());
  Result<std::string> query = ListQueryString(*args);
  if (!query.ok()) return Fail(ctx, query.status());
  const bool as_json = args->Has("json");
  std::vector<std::vector<std::string>> rows;
  bool more = false;
  Status st = ForEachWorkflow(
      ctx.api, *query, args->Has("all"),
      [&](const json& w) {
        if (as_json) {
          ctx.out << w.dump() << "\n";
        } else {
          rows.push_back(Row(w));
        }
        return Status::Ok();
      },
      &more);
  if (!st.ok()) return Fail(ctx, st);
  if (!as_json) {
    PrintTable(ctx.out, {"ID", "TYPE", "TENANT", "STATUS", "CREATED", "UPDATED"}, rows);
  }
  if (more && !args->Has("all")) ctx.err << "(more workflows: use --all)\n";
  return kExitOk;
}

}  // namespace slipway::slipctl
