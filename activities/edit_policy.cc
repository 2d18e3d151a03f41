#include "activities/edit_policy.h"

#include <algorithm>
#include <cctype>

namespace slipway::activities {

namespace {

constexpr const char* kPrefix = "edit policy: ";

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool StartsWith(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }

bool EndsWith(const std::string& s, const std::string& e) {
  return s.size() >= e.size() && s.compare(s.size() - e.size(), e.size(), e) == 0;
}

std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t slash = path.find('/'); slash != std::string::npos; slash = path.find('/', start)) {
    out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  out.push_back(path.substr(start));
  return out;
}

// The hard deny list, on the lower-cased file name; configuration cannot lift it.
std::optional<std::string> DeniedName(const std::string& name) {
  static const char* const kManifests[] = {
      "package.json",   "package-lock.json", "npm-shrinkwrap.json", "yarn.lock",
      "pnpm-lock.yaml", "pnpm-workspace.yaml", "bun.lockb",         "bun.lock"};
  for (const char* m : kManifests) {
    if (name == m) return "is a package manifest or lockfile";
  }
  static const char* const kConfigs[] = {"next.config.",  "tsconfig.",       "jsconfig.",
                                         "eslint.config.", "babel.config.",   "postcss.config.",
                                         "tailwind.config."};
  for (const char* c : kConfigs) {
    if (StartsWith(name, c)) return "is a build, type-check or lint configuration";
  }
  if (name == "vercel.json" || name == "now.json") return "is a deployment configuration";
  static const char* const kScripts[] = {".sh", ".bash", ".zsh", ".fish", ".ps1", ".bat", ".cmd"};
  for (const char* s : kScripts) {
    if (EndsWith(name, s)) return "is a script";
  }
  return std::nullopt;
}

std::optional<std::string> DeniedPath(const std::string& path) {
  std::vector<std::string> segments = Segments(Lower(path));
  for (size_t i = 0; i < segments.size(); ++i) {
    const std::string& s = segments[i];
    bool is_folder = i + 1 < segments.size();
    if (!s.empty() && s.front() == '.') {
      return is_folder ? "is under the hidden folder " + s + "/ (CI, tool and editor settings)"
                       : "is a hidden file (npm, environment, lint and tool settings)";
    }
    if (is_folder && (s == "scripts" || s == "node_modules")) return "is under " + s + "/";
  }
  return DeniedName(segments.back());
}

std::string JoinList(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& i : items) out += (out.empty() ? "" : " ") + i;
  return out;
}

size_t Count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) {
    ++n;
  }
  return n;
}

// Block comments that open with "eslint" (`/* eslint no-console: off */`, `/*eslint-env*/`):
// ESLint reads them as configuration, so one can switch a rule off without "eslint-disable".
size_t CountEslintConfigComments(const std::string& lower) {
  size_t n = 0;
  for (size_t pos = lower.find("/*"); pos != std::string::npos; pos = lower.find("/*", pos + 2)) {
    size_t i = pos + 2;
    while (i < lower.size() && (lower[i] == '*' || std::isspace(static_cast<unsigned char>(lower[i])))) {
      ++i;
    }
    if (lower.compare(i, 6, "eslint") == 0) ++n;
  }
  return n;
}

std::vector<std::string> SplitList(const std::string& value) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= value.size()) {
    size_t comma = value.find(',', start);
    std::string item = value.substr(start, comma == std::string::npos ? std::string::npos
                                                                      : comma - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

Status ReadFolders(const std::string& var, const std::string& value, EditPolicy* policy) {
  std::vector<std::string> folders;
  for (std::string f : SplitList(value)) {
    if (f.back() != '/') f += '/';
    if (f.front() == '/' || f.find('\\') != std::string::npos) {
      return InvalidArgument(var, var + ": '" + f + "' is not a folder inside the repository");
    }
    for (const std::string& s : Segments(f.substr(0, f.size() - 1))) {
      if (s.empty() || s == "." || s == "..") {
        return InvalidArgument(var, var + ": '" + f + "' is not a folder inside the repository");
      }
    }
    folders.push_back(f);
  }
  if (!folders.empty()) policy->path_prefixes = folders;
  return Status::Ok();
}

Status ReadExtensions(const std::string& var, const std::string& value, EditPolicy* policy) {
  std::vector<std::string> extensions = SplitList(value);
  for (const std::string& e : extensions) {
    if (e.size() < 2 || e.front() != '.' || e.find('/') != std::string::npos) {
      return InvalidArgument(var, var + ": '" + e + "' is not a file extension such as .ts");
    }
  }
  if (!extensions.empty()) policy->extensions = extensions;
  return Status::Ok();
}

}  // namespace

std::optional<std::string> PathRefusal(const EditPolicy& policy, const std::string& path) {
  if (std::optional<std::string> why = DeniedPath(path)) {
    return kPrefix + path + " " + *why + ": the model never edits it";
  }
  bool in_folder = std::any_of(policy.path_prefixes.begin(), policy.path_prefixes.end(),
                               [&](const std::string& p) { return StartsWith(path, p); });
  if (!in_folder) {
    return kPrefix + path + " is outside the folders the model may edit (" +
           JoinList(policy.path_prefixes) + ")";
  }
  std::string lower = Lower(path);
  bool has_extension = std::any_of(policy.extensions.begin(), policy.extensions.end(),
                                   [&](const std::string& e) { return EndsWith(lower, Lower(e)); });
  if (!has_extension) {
    return kPrefix + path + " is not a source file the model may edit (" +
           JoinList(policy.extensions) + ")";
  }
  return std::nullopt;
}

std::optional<std::string> DirectiveRefusal(const std::string& old_text,
                                            const std::string& new_text) {
  // Case-insensitive: TypeScript and ESLint differ on case, and refusing a harmless
  // "@TS-IGNORE" costs nothing.
  const std::string before = Lower(old_text), after = Lower(new_text);
  static const char* const kDirectives[] = {"@ts-nocheck", "@ts-ignore", "@ts-expect-error",
                                            "eslint-disable"};
  for (const char* d : kDirectives) {
    if (Count(after, d) > Count(before, d)) {
      return kPrefix + std::string("new_text adds ") + d + ", which switches a check off";
    }
  }
  if (CountEslintConfigComments(after) > CountEslintConfigComments(before)) {
    return kPrefix + std::string("new_text adds an /* eslint ... */ configuration comment, which "
                                 "can switch a rule off");
  }
  return std::nullopt;
}

long NetDeletedLines(const std::string& old_text, const std::string& new_text) {
  auto lines = [](const std::string& s) { return static_cast<long>(Count(s, "\n")); };
  return lines(old_text) - lines(new_text);
}

bool IsBlank(const std::string& text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
}

Result<EditPolicy> EditPolicyFromEnv(const GetEnvFn& getenv) {
  EditPolicy p;
  if (auto v = getenv("SLIPWAY_AUTOFIX_PATHS"); v && !v->empty()) {
    SLIPWAY_RETURN_IF_ERROR(ReadFolders("SLIPWAY_AUTOFIX_PATHS", *v, &p));
  }
  if (auto v = getenv("SLIPWAY_AUTOFIX_EXTENSIONS"); v && !v->empty()) {
    SLIPWAY_RETURN_IF_ERROR(ReadExtensions("SLIPWAY_AUTOFIX_EXTENSIONS", *v, &p));
  }
  if (auto v = getenv("SLIPWAY_AUTOFIX_MAX_DELETED_LINES"); v && !v->empty()) {
    const std::string var = "SLIPWAY_AUTOFIX_MAX_DELETED_LINES";
    bool digits = v->size() <= 5 && std::all_of(v->begin(), v->end(), [](char c) {
                    return std::isdigit(static_cast<unsigned char>(c)) != 0;
                  });
    if (!digits || std::stoul(*v) > 10000) {
      return InvalidArgument(var, var + " must be a whole number from 0 to 10000");
    }
    p.max_deleted_lines = std::stoul(*v);
  }
  return p;
}

}  // namespace slipway::activities
