// activities/build/parse_eslint.cc: ESLint's stylish and JSON formats, and ESLint findings as
// `next build` prints them.
#include <cstdint>
#include <nlohmann/json.hpp>

#include "activities/build/line_scan.h"
#include "activities/build/parse_internal.h"

namespace slipway::activities::build::parse {
namespace {

// ESLint places a parse error one column left of tsc for the same token; agree with tsc.
int EslintColumn(int column, const std::string& message, bool fatal) {
  return (fatal || StartsWith(message, "Parsing error")) && column > 0 ? column + 1 : column;
}

// "'x' is assigned a value but never used  no-unused-vars" -> message, rule id.
void SplitRule(const std::string& text, std::string& message, std::string& rule) {
  scan::Groups m;
  if (text.size() < kMaxLineForRegex && scan::Rule(text, m)) {
    message = m.g[0];
    rule = m.g[1];
  } else {
    message = Trim(text);
    rule.clear();
  }
}

// Index of the bracket closing the JSON array that starts at `start`, or npos.
size_t MatchingBracket(const std::string& text, size_t start) {
  int depth = 0;
  bool in_string = false;
  for (size_t k = start; k < text.size(); ++k) {
    char c = text[k];
    if (in_string) {
      if (c == '\\') ++k;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if ((c == ']' || c == '}') && --depth == 0) {
      return k;
    }
  }
  return std::string::npos;
}

// Field readers that tolerate absent or null fields ("ruleId": null for parse errors).
// Numbers outside [0, 999999999] read as 0 (none given): the output is the tenant's.
int IntField(const nlohmann::json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_number_integer()) return 0;
  const int64_t v = it->get<int64_t>();
  return v >= 0 && v <= 999'999'999 ? static_cast<int>(v) : 0;
}

std::string StringField(const nlohmann::json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void AddJsonFile(const Context& ctx, const nlohmann::json& file) {
  if (!file.is_object() || !file.contains("messages") || !file["messages"].is_array()) return;
  std::string path = StringField(file, "filePath");
  for (const nlohmann::json& msg : file["messages"]) {
    if (!msg.is_object() || IntField(msg, "severity") != 2) continue;
    BuildError e;
    e.tool = "eslint";
    e.file = path;
    e.message = StringField(msg, "message");
    e.line = IntField(msg, "line");
    bool fatal = msg.contains("fatal") && msg["fatal"].is_boolean() && msg["fatal"].get<bool>();
    e.column = EslintColumn(IntField(msg, "column"), e.message, fatal);
    e.code = StringField(msg, "ruleId");
    ctx.Add(std::move(e));
  }
}

}  // namespace

// /home/u/site/src/app/page.tsx
//    3:7  error    'unused' is assigned a value but never used  @typescript-eslint/no-unused-vars
size_t ParseEslintStylish(const Context& ctx, size_t i) {
  const std::string& header = ctx.lines[i];
  if (header.empty() || header[0] != '/' || i + 1 >= ctx.lines.size()) return 0;
  scan::Groups m;
  size_t k = i + 1;
  for (; k < ctx.lines.size(); ++k) {
    const std::string& line = ctx.lines[k];
    if (line.size() > kMaxLineForRegex || !scan::StylishEntry(line, m)) break;
    if (m.g[2] != "error") continue;
    BuildError e;
    e.tool = "eslint";
    e.file = Trim(header);
    e.line = ToInt(m.g[0]);
    SplitRule(m.g[3], e.message, e.code);
    e.column = EslintColumn(ToInt(m.g[1]), e.message, false);
    ctx.Add(std::move(e));
  }
  return k == i + 1 ? 0 : k - i;
}

// ./src/app/page.tsx
// 3:7  Error: 'unused' is assigned a value but never used.  @typescript-eslint/no-unused-vars
size_t ParseNextEslint(const Context& ctx, size_t i) {
  if (!StartsWith(ctx.lines[i], "./") || i + 1 >= ctx.lines.size()) return 0;
  auto header = ParsePathLine(ctx.lines[i]);
  if (!header) return 0;
  scan::Groups m;
  size_t k = i + 1;
  for (; k < ctx.lines.size(); ++k) {
    const std::string& line = ctx.lines[k];
    if (line.size() > kMaxLineForRegex || !scan::NextEslintEntry(line, m)) break;
    if (m.g[2] != "Error") continue;
    BuildError e;
    e.tool = "eslint";
    e.file = header->file;
    e.line = ToInt(m.g[0]);
    SplitRule(m.g[3], e.message, e.code);
    if (!e.message.empty() && e.message.back() == '.') e.message.pop_back();  // Next adds it
    e.column = EslintColumn(ToInt(m.g[1]), e.message, false);
    ctx.Add(std::move(e));
  }
  return k == i + 1 ? 0 : k - i;
}

// `eslint --format json` prints one array, possibly after npm's "> lint" banner lines.
void ParseEslintJson(const std::string& text, const Context& ctx) {
  for (size_t start = text.find("[{\"filePath\""); start != std::string::npos;
       start = text.find("[{\"filePath\"", start + 1)) {
    size_t end = MatchingBracket(text, start);
    if (end == std::string::npos) return;
    nlohmann::json doc = nlohmann::json::parse(text.begin() + start, text.begin() + end + 1,
                                                nullptr, /*allow_exceptions=*/false);
    if (!doc.is_array()) continue;
    for (const nlohmann::json& file : doc) AddJsonFile(ctx, file);
    start = end;
  }
}

}  // namespace slipway::activities::build::parse
