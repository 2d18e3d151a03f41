// activities/build/parse_typescript.cc: tsc diagnostics (plain and pretty), Next.js
// "Type error:" blocks and Next.js prerender failures.
#include "activities/build/line_scan.h"
#include "activities/build/parse_internal.h"

namespace slipway::activities::build::parse {
namespace {

constexpr size_t kMaxElaboration = 4;  // indented lines of a tsc message chain we keep

// tsc continues a message chain on the following lines, indented by two spaces per level.
size_t AppendElaboration(const Context& ctx, size_t i, std::string& message) {
  size_t used = 0;
  while (i + 1 + used < ctx.lines.size() && used < kMaxElaboration) {
    const std::string& next = ctx.lines[i + 1 + used];
    if (!StartsWith(next, "  ") || Trim(next).empty()) break;
    message += "\n" + Trim(next);
    ++used;
  }
  return used;
}

}  // namespace

size_t ParseTscLine(const Context& ctx, size_t i) {
  const std::string& line = ctx.lines[i];
  if (line.size() > kMaxLineForRegex || line.find("error TS") == std::string::npos) return 0;
  scan::Groups m;
  BuildError e;
  e.tool = "tsc";
  if (scan::TscPlain(line, m) || scan::TscPretty(line, m)) {
    e.file = m.g[0];
    e.line = ToInt(m.g[1]);
    e.column = ToInt(m.g[2]);
    e.code = m.g[3];
    e.message = Trim(m.g[4]);
  } else if (scan::TscGlobal(line, m)) {
    e.code = m.g[0];
    e.message = Trim(m.g[1]);
  } else {
    return 0;
  }
  size_t used = 1 + AppendElaboration(ctx, i, e.message);
  ctx.Add(std::move(e));
  return used;
}

// ./src/app/page.tsx:12:7          (or "src/app/page.tsx" for Next's page-type checks)
// Type error: Type 'number' is not assignable to type 'string'.
size_t ParseNextTypeError(const Context& ctx, size_t i) {
  static const std::string kPrefix = "Type error: ";
  const std::string line = Trim(ctx.lines[i]);
  if (!StartsWith(line, kPrefix)) return 0;
  BuildError e;
  e.tool = "next";
  e.message = Trim(line.substr(kPrefix.size()));
  if (auto prev = PrevNonBlank(ctx, i, 2)) {
    if (auto loc = ParsePathLine(ctx.lines[*prev])) {
      e.file = loc->file;
      e.line = loc->line;
      e.column = loc->column;
    }
  }
  if (e.file.empty() && line.size() < kMaxLineForRegex) {
    // Page-type errors name the page inside the message: Page "src/app/page.tsx" ...
    scan::Groups m;
    if (scan::QuotedFile(e.message, m)) e.file = m.g[0];
  }
  ctx.Add(std::move(e));
  return 1;
}

// Error occurred prerendering page "/about". Read more: https://nextjs.org/docs/...
// Error: boom
// The chunk location that follows changes with the checkout path: only route and message stay.
size_t ParseNextPrerender(const Context& ctx, size_t i) {
  static const std::string kPrefix = "Error occurred prerendering page \"";
  const std::string& line = ctx.lines[i];
  if (!StartsWith(line, kPrefix)) return 0;
  size_t end = line.find('"', kPrefix.size());
  if (end == std::string::npos) return 0;
  BuildError e;
  e.tool = "next";
  e.code = "PRERENDER";
  e.message = line.substr(0, end + 1);  // up to the route's closing quote
  size_t used = 1;
  if (i + 1 < ctx.lines.size()) {
    std::string next = Trim(ctx.lines[i + 1]);
    if (next.find("Error") != std::string::npos && !StartsWith(next, "at ")) {
      e.message += ": " + next;
      used = 2;
    }
  }
  ctx.Add(std::move(e));
  return used;
}

}  // namespace slipway::activities::build::parse
