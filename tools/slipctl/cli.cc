// tools/slipctl/cli.cc: argument parsing, JSON arguments and error printing for every verb.
#include "tools/slipctl/cli.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace slipway::slipctl {

namespace {

constexpr const char* kUsageField = "usage";

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Handles one "--name[=value]" at argv[i]; advances i past a separate value.
Status ParseFlag(const std::vector<std::string>& argv, size_t& i, const FlagSpec& spec, Args& out) {
  std::string name = argv[i].substr(2);
  std::optional<std::string> inline_value;
  if (size_t eq = name.find('='); eq != std::string::npos) {
    inline_value = name.substr(eq + 1);
    name = name.substr(0, eq);
  }
  if (Contains(spec.switches, name)) {
    if (inline_value) return UsageError("--" + name + " takes no value");
    out.switches.insert(name);
    return Status::Ok();
  }
  if (!Contains(spec.values, name)) return UsageError("unknown flag --" + name);
  if (inline_value) {
    out.values[name] = *inline_value;
    return Status::Ok();
  }
  if (i + 1 >= argv.size()) return UsageError("--" + name + " needs a value");
  out.values[name] = argv[++i];
  return Status::Ok();
}

}  // namespace

std::optional<std::string> Args::Get(const std::string& name) const {
  auto it = values.find(name);
  if (it == values.end()) return std::nullopt;
  return it->second;
}

std::string Args::Value(const std::string& name, const std::string& fallback) const {
  return Get(name).value_or(fallback);
}

Result<Args> ParseArgs(const std::vector<std::string>& argv, const FlagSpec& spec,
                       size_t min_positional, size_t max_positional) {
  Args out;
  bool flags_done = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (!flags_done && a == "--") {
      flags_done = true;
    } else if (!flags_done && a.size() > 2 && a.compare(0, 2, "--") == 0) {
      SLIPWAY_RETURN_IF_ERROR(ParseFlag(argv, i, spec, out));
    } else {
      out.positional.push_back(a);
    }
  }
  if (out.positional.size() < min_positional) return UsageError("missing arguments");
  if (out.positional.size() > max_positional) {
    return UsageError("unexpected argument '" + out.positional[max_positional] + "'");
  }
  return out;
}

Status UsageError(std::string message) {
  return Status(Code::kInvalidArgument, std::move(message), kUsageField);
}

bool IsUsageError(const Status& s) {
  return s.code() == Code::kInvalidArgument && s.field() == kUsageField;
}

Result<int> IntFlag(const Args& args, const std::string& name, int fallback, int min, int max) {
  std::optional<std::string> text = args.Get(name);
  if (!text) return fallback;
  const std::string bad = "--" + name + " must be an integer in [" + std::to_string(min) + ", " +
                          std::to_string(max) + "]";
  if (text->empty() || text->size() > 9 ||
      text->find_first_not_of("0123456789") != std::string::npos) {
    return UsageError(bad);
  }
  const int v = std::stoi(*text);
  if (v < min || v > max) return UsageError(bad);
  return v;
}

Result<nlohmann::json> JsonArgument(const std::string& text, const std::string& field) {
  std::string source = text;
  if (!text.empty() && text.front() == '@') {
    std::ifstream in(text.substr(1), std::ios::binary);
    if (!in) return InvalidArgument(field, "cannot read " + text.substr(1));
    std::stringstream content;
    content << in.rdbuf();
    source = content.str();
  }
  nlohmann::json j = nlohmann::json::parse(source, nullptr, false);
  if (j.is_discarded()) return InvalidArgument(field, "not valid JSON");
  return j;
}

int Fail(Context& ctx, const Status& s) {
  if (IsUsageError(s)) {
    ctx.err << "error: " << s.message() << " (see: slipctl help)\n";
    return kExitUsage;
  }
  ctx.err << "error: " << CodeName(s.code()) << ": " << s.message();
  if (!s.field().empty()) ctx.err << " (field " << s.field() << ")";
  ctx.err << "\n";
  return kExitFailure;
}

}  // namespace slipway::slipctl
