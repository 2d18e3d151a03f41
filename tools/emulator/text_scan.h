// tools/emulator/text_scan.h: the text scanning behind the emulator's auto-fix rules
// (anthropic_routes.cc) and its synthesised site pages (site_routes.cc), as loops rather than
// the standard regex library (libstdc++'s regex recurses per character; a long prompt, line or href overflowed
// the stack). Each function names the pattern it
// implements; results are those of an ECMAScript regex with leftmost-first matching.
// Pure functions, linear in their input (EditDistance aside); thread-safe. Internal to the
// emulator.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace slipway::emulator {

struct TsError {
  std::string file;
  int line = 0;  // 0 when the number does not fit an int
  std::string code;
  std::string message;
};

// Every `([\w./@\-\[\]]+)\((\d+),(\d+)\): error (TS\d+): ([^\n]*)` in text, in order.
std::vector<TsError> FindTsErrors(const std::string& text);

// Every `--- FILE: ([^\n]+?) ---\n([\s\S]*?)\n?--- END FILE ---` block: path -> content.
std::map<std::string, std::string> FindFileBlocks(const std::string& text);

// Every identifier `[A-Za-z_$][\w$]*` in text, in order.
std::vector<std::string> Identifiers(const std::string& text);

// The capture of `Cannot find name '(\w+)'`, or nullopt.
std::optional<std::string> MissingName(const std::string& message);

// The capture of `for \(const ITEM of ([\w.]+)\)` (item: word characters only), or nullopt.
std::optional<std::string> LoopSource(const std::string& text, const std::string& item);

// text with every `\bWORD\b` replaced by `by` (word: word characters only).
std::string ReplaceWord(const std::string& text, const std::string& word, const std::string& by);

// regex_match of `(.*=\s*)([^=;][^;]*);\s*` on line: {group 1, group 2}, or nullopt.
std::optional<std::pair<std::string, std::string>> SplitAssignment(const std::string& line);

// The first `["'](-?\d+(?:\.\d+)?)["']` in line: {position, length, group 1}, or nullopt.
struct QuotedNumber {
  size_t position = 0;
  size_t length = 0;
  std::string number;
};
std::optional<QuotedNumber> FindQuotedNumber(const std::string& line);

// Every `href=["']([^"']+)["']` value in source, in order (the links of a page file).
std::vector<std::string> SourceHrefs(const std::string& source);

}  // namespace slipway::emulator
