// activities/build/parse_syntax.cc: syntax errors as SWC, node, Babel and webpack print them,
// and webpack's "Module not found".
#include "activities/build/line_scan.h"
#include "activities/build/parse_internal.h"

namespace slipway::activities::build::parse {
namespace {

constexpr size_t kMaxFrameLines = 60;

// The file named by the path line just above line i (Next prints "./path" before a failure).
PathLoc FileAbove(const Context& ctx, size_t i) {
  if (auto prev = PrevNonBlank(ctx, i, 2)) {
    if (auto loc = ParsePathLine(ctx.lines[*prev])) return *loc;
  }
  return {};
}

// SWC: the message is on the "Error:   x msg" (or "  × msg") line just above the frame header.
std::string SwcMessage(const Context& ctx, size_t header) {
  scan::Groups m;
  for (size_t k = 1; k <= 3 && k <= header; ++k) {
    const std::string& line = ctx.lines[header - k];
    if (line.size() < kMaxLineForRegex && scan::SwcMessage(line, m)) return Trim(m.g[0]);
  }
  return "";
}

// Locates a module specifier's import in the source, for "Module not found" without a line.
void LocateSpecifier(const Context& ctx, const std::string& specifier, BuildError& e) {
  std::optional<std::string> text = ReadProjectFile(ctx, e.file);
  if (!text) return;
  for (const char* quote : {"'", "\"", "`"}) {
    size_t at = text->find(quote + specifier + quote);
    if (at == std::string::npos) continue;
    PathLoc loc = OffsetToLineCol(*text, at);
    e.line = loc.line;
    e.column = loc.column;
    return;
  }
}

}  // namespace

// Error:   x Expected ',', got 'oops'
//    ,-[/home/u/site/src/app/page.tsx:3:1]       header column is always 1: use the caret
//  3 |     <div>hello</div> oops
//    :                      ^^^^
//    `----
// Caused by:
//     Syntax Error
size_t ParseSwcFrame(const Context& ctx, size_t i) {
  const std::string& header = ctx.lines[i];
  if (header.find(",-[") == std::string::npos || header.size() > kMaxLineForRegex) return 0;
  scan::Groups m;
  if (!scan::SwcHeader(header, m)) return 0;
  BuildError e;
  e.tool = "swc";
  e.file = m.g[0];
  e.line = ToInt(m.g[1]);
  e.message = SwcMessage(ctx, i);
  size_t k = i + 1;
  int code_line = 0;
  for (; k < ctx.lines.size() && k < i + kMaxFrameLines; ++k) {
    const std::string& line = ctx.lines[k];
    if (Trim(line).rfind("`-", 0) == 0) break;
    if (line.size() <= kMaxLineForRegex && scan::SwcCode(line, m)) {
      code_line = ToInt(m.g[0]);
    }
    size_t colon = line.find(':');
    size_t caret = line.find('^');
    if (e.column == 0 && caret != std::string::npos && colon < caret &&
        Trim(line.substr(0, colon)).empty()) {
      e.column = static_cast<int>(caret - colon - 1);
      if (code_line > 0) e.line = code_line;
    }
  }
  for (size_t c = k; c < ctx.lines.size() && c < k + 5; ++c) {
    if (Trim(ctx.lines[c]) == "Syntax Error") e.code = "SyntaxError";
  }
  ctx.Add(std::move(e));
  return k - i + 1;
}

// Babel:  SyntaxError: /abs/src/a.js: Unexpected token (3:10)
// node:   /abs/scripts/build.js:12  /  <source line>  /  <caret>  /  (blank)  /  SyntaxError: msg
size_t ParseNodeSyntaxError(const Context& ctx, size_t i) {
  static const std::string kPrefix = "SyntaxError: ";
  const std::string& line = ctx.lines[i];
  if (!StartsWith(line, kPrefix) || line.size() > kMaxLineForRegex) return 0;
  scan::Groups m;
  BuildError e;
  e.code = "SyntaxError";
  if (scan::Babel(line, m)) {
    e.tool = "webpack";
    e.file = m.g[0];
    e.message = m.g[1];
    e.line = ToInt(m.g[2]);
    e.column = ToInt(m.g[3]) + 1;  // Babel's column is 0-based
    ctx.Add(std::move(e));
    return 1;
  }
  e.tool = "node";
  e.message = Trim(line.substr(kPrefix.size()));
  std::optional<size_t> caret = PrevNonBlank(ctx, i, 3);
  if (caret && Trim(ctx.lines[*caret]).find_first_not_of('^') == std::string::npos && *caret >= 2 &&
      ctx.lines[*caret - 2].size() <= kMaxLineForRegex &&
      scan::NodeHeader(ctx.lines[*caret - 2], m)) {
    e.file = m.g[0];
    e.line = ToInt(m.g[1]);
    e.column = static_cast<int>(ctx.lines[*caret].find('^')) + 1;
  }
  ctx.Add(std::move(e));
  return 1;
}

// ./src/data/site.json
// Module parse failed: Unexpected token } in JSON at position 537      (or "... (3:10)")
size_t ParseWebpackParseFailed(const Context& ctx, size_t i) {
  const std::string line = Trim(ctx.lines[i]);
  bool parse_failed = StartsWith(line, "Module parse failed: ");
  bool json_offset = line.find(" in JSON at position ") != std::string::npos;
  if ((!parse_failed && !json_offset) || line.size() > kMaxLineForRegex) return 0;
  PathLoc at = FileAbove(ctx, i);
  if (!parse_failed && at.file.empty()) return 0;  // a bare JSON.parse failure: node's parser
  BuildError e;
  e.tool = "webpack";
  e.code = "SyntaxError";
  e.file = at.file;
  e.message = parse_failed ? line.substr(21) : line;
  scan::Groups m;
  if (scan::LineColSuffix(e.message, m)) {
    e.line = ToInt(m.g[0]);
    e.column = ToInt(m.g[1]) + 1;  // acorn's column is 0-based
  } else if (scan::JsonOffset(e.message, m)) {
    if (auto text = ReadProjectFile(ctx, NormalizePath(e.file, ctx.options.project_dir))) {
      PathLoc loc = OffsetToLineCol(*text, static_cast<size_t>(ToInt(m.g[0])));
      e.line = loc.line;
      e.column = loc.column;
    }
  }
  ctx.Add(std::move(e));
  return 1;
}

// ./src/app/page.tsx            (Next 15 may add ":2:1")
// Module not found: Can't resolve './missing'
// The "Import trace for requested module:" list that follows names other files: ignored.
size_t ParseModuleNotFound(const Context& ctx, size_t i) {
  const std::string line = Trim(ctx.lines[i]);
  if (!StartsWith(line, "Module not found: ") || line.size() > kMaxLineForRegex) return 0;
  scan::Groups m;
  if (!scan::Resolve(line, m)) return 0;
  std::string specifier = m.g[0];
  PathLoc at = FileAbove(ctx, i);
  BuildError e;
  e.tool = "webpack";
  e.code = "MODULE_NOT_FOUND";
  e.file = NormalizePath(at.file, ctx.options.project_dir);
  e.line = at.line;
  e.column = at.column;
  e.message = "Can't resolve '" + specifier + "'";
  if (e.line == 0) LocateSpecifier(ctx, specifier, e);
  ctx.Add(std::move(e));
  return 1;
}

}  // namespace slipway::activities::build::parse
