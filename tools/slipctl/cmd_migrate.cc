// tools/slipctl/cmd_migrate.cc: `slipctl migrate --from FILE --to postgresql://...`: copies a
// stopped SQLite installation into an empty PostgreSQL database (storage/sqlite_to_pg.h),
// then prints what it copied as one JSON line. Needs no server; stop slipwayd first. The
// connection URL is never printed (it may hold a password): prefer PGPASSWORD or ~/.pgpass.
#include "storage/sqlite_to_pg.h"
#include "tools/slipctl/commands.h"

namespace slipway::slipctl {

int RunMigrate(Context& ctx, const Argv& argv) {
  Result<Args> args = ParseArgs(argv, {{"from", "to"}, {}}, 0, 0);
  if (!args.ok()) return Fail(ctx, args.status());
  const std::string from = args->Value("from");
  const std::string to = args->Value("to");
  if (from.empty()) return Fail(ctx, UsageError("--from needs the SQLite database file"));
  if (to.rfind("postgresql://", 0) != 0 && to.rfind("postgres://", 0) != 0) {
    return Fail(ctx, UsageError("--to needs a postgresql:// URL"));
  }
  Result<storage::CopyReport> r = storage::CopySqliteToPostgres(from, to);
  if (!r.ok()) return Fail(ctx, r.status());
  const nlohmann::json out = {{"instances", r->instances}, {"events", r->events},
                              {"tasks", r->tasks},         {"queued", r->queued},
                              {"records", r->records}};
  ctx.out << out.dump() << "\n";
  return kExitOk;
}

}  // namespace slipway::slipctl
