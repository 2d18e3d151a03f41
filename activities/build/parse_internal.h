// activities/build/parse_internal.h: shared plumbing of the error parsers (not a public API).
//
// Each line parser looks at lines[i] of ANSI-free output and, when it recognises a record
// there, appends it and returns how many lines it consumed (0: not its format). Parsers that
// need the file from an earlier line look back; none look further than a small window.
// Stateless functions: thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "activities/build/error_parsers.h"

namespace slipway::activities::build::parse {

inline constexpr size_t kMaxLineForRegex = 2000;  // longer lines are not parsed (as before)

struct Context {
  const std::vector<std::string>& lines;
  const ParseOptions& options;
  std::vector<BuildError>& out;

  void Add(BuildError e) const;  // normalises the path, then appends
};

using LineParser = size_t (*)(const Context& ctx, size_t i);

// parse_typescript.cc
size_t ParseTscLine(const Context& ctx, size_t i);
size_t ParseNextTypeError(const Context& ctx, size_t i);
size_t ParseNextPrerender(const Context& ctx, size_t i);
// parse_eslint.cc
size_t ParseEslintStylish(const Context& ctx, size_t i);
size_t ParseNextEslint(const Context& ctx, size_t i);
void ParseEslintJson(const std::string& text, const Context& ctx);
// parse_syntax.cc
size_t ParseSwcFrame(const Context& ctx, size_t i);
size_t ParseNodeSyntaxError(const Context& ctx, size_t i);
size_t ParseWebpackParseFailed(const Context& ctx, size_t i);
size_t ParseModuleNotFound(const Context& ctx, size_t i);

// Helpers (error_parsers.cc).
bool StartsWith(const std::string& s, const std::string& prefix);
std::string Trim(const std::string& s);
// Index of the closest non-blank line before i, looking back at most `window` lines.
std::optional<size_t> PrevNonBlank(const Context& ctx, size_t i, size_t window = 3);
struct PathLoc {
  std::string file;
  int line = 0;
  int column = 0;
};
// "./src/a.ts", "./src/a.ts:3:7", "src/app/page.tsx" or "/abs/a.ts" alone on a line.
std::optional<PathLoc> ParsePathLine(const std::string& line);
// Reads project_dir/file (bounded size); nullopt when unreadable.
std::optional<std::string> ReadProjectFile(const Context& ctx, const std::string& file);
// Digits a matcher captured (\d+) as an int; 0 ("none given") beyond 9 digits, so that a
// tenant's build output can neither make std::stoi throw nor overflow a later "+ 1".
int ToInt(const std::string& digits);
// 1-based line and column of a character offset in text.
PathLoc OffsetToLineCol(const std::string& text, size_t offset);

}  // namespace slipway::activities::build::parse
