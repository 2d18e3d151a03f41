// tools/slipctl/cli.h: what every slipctl verb shares: its parsed arguments, the context it
// runs in (the API client, output streams, whether stdout is a terminal), exit codes and the
// one way errors are printed ("error: <code>: <message> (field F)"; never the token).
#pragma once

#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "engine/base/status.h"
#include "tools/slipctl/api_client.h"

namespace slipway::slipctl {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // the API refused, the network failed, a check failed
inline constexpr int kExitUsage = 2;

// The flags one verb accepts: those taking a value (--name VALUE or --name=VALUE) and
// switches (--name).
struct FlagSpec {
  std::vector<std::string> values;
  std::vector<std::string> switches;
};

struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> values;
  std::set<std::string> switches;

  bool Has(const std::string& name) const { return switches.count(name) > 0; }
  std::optional<std::string> Get(const std::string& name) const;
  std::string Value(const std::string& name, const std::string& fallback = "") const;
};

// Parses a verb's arguments. A usage error for an unknown flag, a value missing, or a count
// of positionals outside [min_positional, max_positional].
Result<Args> ParseArgs(const std::vector<std::string>& argv, const FlagSpec& spec,
                       size_t min_positional, size_t max_positional);

// kInvalidArgument marked as a usage error (exit code 2).
Status UsageError(std::string message);
bool IsUsageError(const Status& s);

// A positive integer flag (e.g. --limit); a usage error when malformed or out of range.
Result<int> IntFlag(const Args& args, const std::string& name, int fallback, int min, int max);
// JSON text or "@path" (read from the file); kInvalidArgument naming `field` when malformed.
Result<nlohmann::json> JsonArgument(const std::string& text, const std::string& field);

struct Context {
  ApiClient& api;
  std::ostream& out;
  std::ostream& err;
  bool tty;  // stdout is a terminal: redraw in place, colours allowed
};

// Prints the error and returns the exit code for it (2 for usage errors, else 1).
int Fail(Context& ctx, const Status& s);

}  // namespace slipway::slipctl
