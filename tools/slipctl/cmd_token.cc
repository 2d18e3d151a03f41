// tools/slipctl/cmd_token.cc: `slipctl token new --role ROLE --name NAME`: a fresh bearer token
// (32 bytes from /dev/urandom, base64url without padding) and its tokens-file entry
// {"name","role","token_sha256"}. Needs no server. Output, for scripts:
//   line 1: the token (shown this once; the server keeps only its hash)
//   line 2: the entry as one JSON line, to append to the server's tokens file array
// This is the one verb that prints a token: the one it has just made.
#include <fstream>

#include "engine/base/ids.h"
#include "engine/base/sha256.h"
#include "tools/slipctl/commands.h"

namespace slipway::slipctl {

using nlohmann::json;

namespace {

constexpr size_t kTokenBytes = 32;

Result<std::string> RandomBytes(size_t n) {
  std::ifstream in("/dev/urandom", std::ios::binary);
  std::string bytes(n, '\0');
  if (!in.read(bytes.data(), static_cast<std::streamsize>(n))) {
    return Unavailable("cannot read /dev/urandom");
  }
  return bytes;
}

std::string Base64Url(const std::string& bytes) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(acc >> bits) & 0x3f];
    }
  }
  if (bits > 0) out += kAlphabet[(acc << (6 - bits)) & 0x3f];
  return out;
}

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
  Result<std::string> bytes = RandomBytes(kTokenBytes);
  if (!bytes.ok()) return Fail(ctx, bytes.status());
  const std::string token = Base64Url(*bytes);
  const json entry = {{"name", name}, {"role", role}, {"token_sha256", Sha256Hex(token)}};
  ctx.out << token << "\n" << entry.dump() << "\n";
  ctx.err << "slipctl: keep the token (line 1) now: it is not stored anywhere. Add the entry "
             "(line 2) to the server's tokens file (SLIPWAY_TOKENS).\n";
  return kExitOk;
}

}  // namespace

int RunToken(Context& ctx, const Argv& argv) {
  if (argv.empty() || argv[0] != "new")
    return Fail(ctx, UsageError("usage: slipctl token new --role ROLE --name NAME"));
  return RunTokenNew(ctx, Argv(argv.begin() + 1, argv.end()));
}

}  // namespace slipway::slipctl
