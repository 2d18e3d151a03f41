// tools/slipctl/cmd_token.cc: `slipctl token new --role ROLE --name NAME`: a fresh bearer token
// (32 bytes from /dev/urandom, base64url without padding) and its tokens-file entry
// {"name","role","token_sha256"}. Needs no server. Output, for scripts:
//   line 1: the token (shown this once; the server keeps only its hash)
//   line 2: the entry as one JSON line, to append to the server's tokens file array
// `slipctl token create --role ROLE --name NAME` asks the server instead (POST /v1/tokens,
// ops): the token is kept in the store as a hash, works on every node at once, and is printed
// once; `slipctl token list` and `slipctl token revoke ID` manage those, and
// `slipctl token reveal ID` prints a minted token's secret once (an onboarding's editor token).
// These are the verbs that print a token: the one just made.
#include "engine/base/bearer_token.h"
#include "engine/base/ids.h"
#include "engine/base/sha256.h"
#include "tools/slipctl/commands.h"
#include "tools/slipctl/render.h"

namespace slipway::slipctl {

using nlohmann::json;

namespace {

// The same rules as the server's tokens file (http/auth.cc), so that an entry made here loads.
Status ValidateEntry(const std::string& role, const std::string& name) {
  if (name.empty() || name.size() > 64 ||
      name.find_first_not_of(
          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.@") !=
          std::string::npos) {
    return UsageError("--name must be 1-64 characters of [A-Za-z0-9._@-]");
  }
  if (role == "ops" || role == "auditor" || role == "approver") return Status::Ok();
  const std::string prefix = "tenant:";
  if (role.compare(0, prefix.size(), prefix) == 0) {
    Status tenant = ValidateTenantId(role.substr(prefix.size()), "role");
    if (!tenant.ok()) return UsageError("--role tenant:<id>: " + tenant.message());
    return Status::Ok();
  }
  return UsageError("--role must be ops, auditor, approver or tenant:<id>");
}

int RunTokenNew(Context& ctx, const Argv& argv) {
  Result<Args> args = ParseArgs(argv, {{"role", "name"}, {}}, 0, 0);
  if (!args.ok()) return Fail(ctx, args.status());
  const std::string role = args->Value("role");
  const std::string name = args->Value("name");
  Status valid = ValidateEntry(role, name);
  if (!valid.ok()) return Fail(ctx, valid);
  Result<std::string> made = NewBearerToken();
  if (!made.ok()) return Fail(ctx, made.status());
  const std::string token = *made;
  const json entry = {{"name", name}, {"role", role}, {"token_sha256", Sha256Hex(token)}};
  ctx.out << token << "\n" << entry.dump() << "\n";
  ctx.err << "slipctl: keep the token (line 1) now: it is not stored anywhere. Add the entry "
             "(line 2) to the server's tokens file (SLIPWAY_TOKENS).\n";
  return kExitOk;
}

// Tokens kept by the server (POST /v1/tokens): work at once on every node, no file to edit.
int RunTokenCreate(Context& ctx, const Argv& argv) {
  Result<Args> args = ParseArgs(argv, {{"role", "name"}, {"json"}}, 0, 0);
  if (!args.ok()) return Fail(ctx, args.status());
  Status valid = ValidateEntry(args->Value("role"), args->Value("name"));
  if (!valid.ok()) return Fail(ctx, valid);
  Result<ApiReply> r =
      ctx.api.Post("/v1/tokens", {{"name", args->Value("name")}, {"role", args->Value("role")}});
  if (!r.ok()) return Fail(ctx, r.status());
  if (args->Has("json")) {
    ctx.out << r->body.dump() << "\n";
  } else {
    ctx.out << r->body.value("token", "") << "\n";
    ctx.err << "slipctl: token " << r->body.value("id", "") << " for " << args->Value("name")
            << " (" << args->Value("role") << "): keep it now, it is not shown again.\n";
  }
  return kExitOk;
}

int RunTokenList(Context& ctx, const Argv& argv) {
  Result<Args> args = ParseArgs(argv, {{}, {"json"}}, 0, 0);
  if (!args.ok()) return Fail(ctx, args.status());
  Result<ApiReply> r = ctx.api.Get("/v1/tokens");
  if (!r.ok()) return Fail(ctx, r.status());
  if (args->Has("json")) {
    ctx.out << r->body.dump() << "\n";
    return kExitOk;
  }
  ctx.out << "ID                     NAME                 ROLE                 CREATED                   STATE\n";
  for (const json& t : r->body.value("tokens", json::array())) {
    std::string name = Cell(t, "name"), role = Cell(t, "role");
    name.resize(std::max<size_t>(name.size(), 20), ' ');
    role.resize(std::max<size_t>(role.size(), 20), ' ');
    ctx.out << Cell(t, "id") << "  " << name << ' ' << role << ' ' << Cell(t, "created_at") << "  "
            << (t.value("revoked", false) ? "revoked by " + Cell(t, "revoked_by") : "live")
            << "\n";
  }
  return kExitOk;
}

int RunTokenRevoke(Context& ctx, const Argv& argv) {
  Result<Args> args = ParseArgs(argv, {{}, {"json"}}, 1, 1);
  if (!args.ok()) return Fail(ctx, args.status());
  Result<ApiReply> r =
      ctx.api.Post("/v1/tokens/" + UrlEncode(args->positional[0]) + "/revoke", json::object());
  if (!r.ok()) return Fail(ctx, r.status());
  if (args->Has("json")) {
    ctx.out << r->body.dump() << "\n";
  } else {
    ctx.out << "revoked: " << Cell(r->body, "id") << " (" << Cell(r->body, "name") << ")\n";
  }
  return kExitOk;
}

// A minted token's secret, once (an onboarding's editor token: its result names the id).
int RunTokenReveal(Context& ctx, const Argv& argv) {
  Result<Args> args = ParseArgs(argv, {{}, {"json"}}, 1, 1);
  if (!args.ok()) return Fail(ctx, args.status());
  Result<ApiReply> r =
      ctx.api.Post("/v1/tokens/" + UrlEncode(args->positional[0]) + "/reveal", json::object());
  if (!r.ok()) return Fail(ctx, r.status());
  if (args->Has("json")) {
    ctx.out << r->body.dump() << "\n";
  } else {
    ctx.out << r->body.value("token", "") << "\n";
    ctx.err << "slipctl: the secret of " << Cell(r->body, "id") << " ("
            << Cell(r->body, "name") << "): it is not shown again.\n";
  }
  return kExitOk;
}

}  // namespace

int RunToken(Context& ctx, const Argv& argv) {
  const std::string usage =
      "usage: slipctl token new --role ROLE --name NAME      (a tokens-file entry, offline)\n"
      "       slipctl token create --role ROLE --name NAME   (kept by the server, ops)\n"
      "       slipctl token list | slipctl token revoke ID | slipctl token reveal ID";
  if (argv.empty()) return Fail(ctx, UsageError(usage));
  const Argv rest(argv.begin() + 1, argv.end());
  if (argv[0] == "new") return RunTokenNew(ctx, rest);
  if (argv[0] == "create") return RunTokenCreate(ctx, rest);
  if (argv[0] == "list") return RunTokenList(ctx, rest);
  if (argv[0] == "revoke") return RunTokenRevoke(ctx, rest);
  if (argv[0] == "reveal") return RunTokenReveal(ctx, rest);
  return Fail(ctx, UsageError(usage));
}

}  // namespace slipway::slipctl
