// activities/build/error_parsers.h: turns build-tool output into located error records.
//
// Recognised forms (see shared/reference/build-output-formats.md):
//   tsc          path(l,c): error TSnnnn: msg        and the pretty  path:l:c - error TSnnnn: msg
//   next         ./path:l:c (or a bare path) then "Type error: msg"; "./path" then ESLint's
//                "l:c  Error: msg.  rule"; prerender failures (route in the message, no file)
//   eslint       stylish (file header line, then "  l:c  error  msg  rule") and --format json
//   swc/node/webpack  SyntaxError: SWC frames (",-[/abs/path:L:1]" + caret line), node's
//                "path:L" + caret + "SyntaxError: msg", Babel's "SyntaxError: path: msg (l:c)",
//                webpack's "Module parse failed: msg (l:c)"
//   webpack      "Module not found: Can't resolve 'x'" with the file from the line before
// Only errors are reported (ESLint warnings are not). ANSI colour codes are ignored. Paths are
// made relative to the project directory; records are de-duplicated (same file, line, column
// and message) keeping the first, and capped at max_errors.
//
// Columns are 1-based. ESLint reports a parse error one column left of tsc for the same token,
// so ESLint parse-error columns are shifted by one to agree with tsc.
//
// Pure functions of their input (they may read files under project_dir to turn a character
// offset or an import into a line): thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace slipway::activities::build {

struct BuildError {
  std::string tool;     // "tsc", "next", "eslint", "swc", "node", "webpack", "npm"
  std::string file;     // relative to the project dir when inside it; "" when unknown
  int line = 0;         // 1-based; 0 when the tool gives none
  int column = 0;       // 1-based; 0 when the tool gives none
  std::string code;     // "TS2322", an ESLint rule id, "SyntaxError", "MODULE_NOT_FOUND", ...
  std::string message;  // first line of the tool's message (tsc: plus its indented elaboration)

  bool operator==(const BuildError& o) const {
    return tool == o.tool && file == o.file && line == o.line && column == o.column &&
           code == o.code && message == o.message;
  }
};

struct ParseOptions {
  std::string project_dir;  // absolute; paths under it become relative
  size_t max_errors = 200;
};

// Every error found in `output`, in order of appearance, de-duplicated and capped.
std::vector<BuildError> ParseBuildOutput(const std::string& output, const ParseOptions& options);

// Drops records whose (file, line, column, message) was seen before; a later duplicate that has
// a code fills in an earlier record's missing one. Keeps at most max_errors.
std::vector<BuildError> DeduplicateErrors(std::vector<BuildError> errors, size_t max_errors);

// Removes ANSI escape sequences (colour codes Next prints even into pipes).
std::string StripAnsi(const std::string& text);

// "./src/a.ts", "/proj/src/a.ts" and "file:///proj/src/a.ts" become "src/a.ts" for project_dir
// "/proj"; paths outside it are returned unchanged.
std::string NormalizePath(const std::string& path, const std::string& project_dir);

}  // namespace slipway::activities::build
