// tools/slipctl/commands.h: the verbs of slipctl, one function each, dispatched by main.cc.
//
// Each takes the verb's own arguments (after the verb; --url/--token already removed), prints
// its output on ctx.out and errors on ctx.err, and returns the exit code (cli.h). None throws.
#pragma once

#include <string>
#include <vector>

#include "tools/slipctl/cli.h"

namespace slipway::slipctl {

using Argv = std::vector<std::string>;

int RunStart(Context& ctx, const Argv& argv);    // cmd_start.cc
int RunGet(Context& ctx, const Argv& argv);      // cmd_get.cc
int RunWatch(Context& ctx, const Argv& argv);    // cmd_watch.cc
int RunList(Context& ctx, const Argv& argv);     // cmd_list.cc
int RunCancel(Context& ctx, const Argv& argv);   // cmd_control.cc
int RunResume(Context& ctx, const Argv& argv);   // cmd_control.cc
int RunSignal(Context& ctx, const Argv& argv);   // cmd_control.cc
int RunHistory(Context& ctx, const Argv& argv);  // cmd_history.cc
int RunAudit(Context& ctx, const Argv& argv);    // cmd_audit.cc: "verify ID", "export ..."
int RunToken(Context& ctx, const Argv& argv);    // cmd_token.cc: "new ..."
int RunMigrate(Context& ctx, const Argv& argv);  // cmd_migrate.cc: SQLite -> PostgreSQL

}  // namespace slipway::slipctl
