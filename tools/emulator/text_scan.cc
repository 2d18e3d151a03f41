#include "tools/emulator/text_scan.h"

#include <climits>
#include <cstring>

namespace slipway::emulator {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsWord(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '_';
}
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}
bool IsPathChar(char c) {
  return IsWord(c) || c == '.' || c == '/' || c == '@' || c == '-' || c == '[' || c == ']';
}

size_t Run(const std::string& s, size_t from, bool (*pred)(char)) {
  size_t i = from;
  while (i < s.size() && pred(s[i])) ++i;
  return i - from;
}

bool At(const std::string& s, size_t i, const char* lit) {
  size_t n = std::strlen(lit);
  return i <= s.size() && n <= s.size() - i && s.compare(i, n, lit) == 0;
}

// Saturating: a number past INT_MAX gives 0 (no such line) instead of throwing.
int ToInt(const std::string& s, size_t from, size_t len) {
  long long v = 0;
  for (size_t i = from; i < from + len; ++i) {
    v = v * 10 + (s[i] - '0');
    if (v > INT_MAX) return 0;
  }
  return static_cast<int>(v);
}

// At '(' (index open): `\((\d+),(\d+)\): error (TS\d+): ([^\n]*)`. Fills e and *end.
bool TsTailAt(const std::string& s, size_t open, TsError* e, size_t* end) {
  size_t i = open + 1;
  size_t line_digits = Run(s, i, IsDigit);
  if (line_digits == 0 || !At(s, i + line_digits, ",")) return false;
  size_t col = i + line_digits + 1;
  size_t col_digits = Run(s, col, IsDigit);
  if (col_digits == 0 || !At(s, col + col_digits, "): error TS")) return false;
  size_t code = col + col_digits + 9;  // at "TS"
  size_t code_digits = Run(s, code + 2, IsDigit);
  if (code_digits == 0 || !At(s, code + 2 + code_digits, ": ")) return false;
  size_t msg = code + 2 + code_digits + 2;
  size_t msg_end = s.find('\n', msg);
  if (msg_end == std::string::npos) msg_end = s.size();
  e->line = ToInt(s, i, line_digits);
  e->code = s.substr(code, 2 + code_digits);
  e->message = s.substr(msg, msg_end - msg);
  *end = msg_end;
  return true;
}

}  // namespace

std::vector<TsError> FindTsErrors(const std::string& text) {
  std::vector<TsError> out;
  size_t pos = 0;
  for (size_t open = text.find('(', pos); open != std::string::npos;
       open = text.find('(', open + 1)) {
    // The path is the run of path characters just before '(' (and not before pos); '(' is
    // not one, so runs of different '(' never overlap and the scan stays linear.
    size_t start = open;
    while (start > pos && IsPathChar(text[start - 1])) --start;
    TsError e;
    size_t end = 0;
    if (start == open || !TsTailAt(text, open, &e, &end)) continue;
    e.file = text.substr(start, open - start);
    out.push_back(std::move(e));
    pos = end;
    if (end >= text.size()) break;
    open = end;  // the loop's find starts after it
  }
  return out;
}

std::map<std::string, std::string> FindFileBlocks(const std::string& text) {
  static const char kHead[] = "--- FILE: ";
  static const char kEnd[] = "--- END FILE ---";
  std::map<std::string, std::string> out;
  for (size_t h = text.find(kHead); h != std::string::npos; h = text.find(kHead, h + 1)) {
    size_t path = h + sizeof(kHead) - 1;
    size_t close = text.find(" ---\n", path + 1);  // the path is one or more characters
    size_t newline = text.find('\n', path);
    if (close == std::string::npos || newline < close) continue;
    size_t content = close + 5;
    size_t end = text.find(kEnd, content);
    if (end == std::string::npos) break;  // no later header can find an end either
    size_t content_end = end > content && text[end - 1] == '\n' ? end - 1 : end;
    out[text.substr(path, close - path)] = text.substr(content, content_end - content);
    h = end + sizeof(kEnd) - 2;  // the loop adds 1: the next search starts after the block
  }
  return out;
}

std::vector<std::string> Identifiers(const std::string& text) {
  std::vector<std::string> out;
  for (size_t i = 0; i < text.size();) {
    char c = text[i];
    if (!(IsWord(c) && !IsDigit(c)) && c != '$') {
      ++i;
      continue;
    }
    size_t j = i + 1;
    while (j < text.size() && (IsWord(text[j]) || text[j] == '$')) ++j;
    out.push_back(text.substr(i, j - i));
    i = j;
  }
  return out;
}

std::optional<std::string> MissingName(const std::string& message) {
  static const char kLit[] = "Cannot find name '";
  for (size_t at = message.find(kLit); at != std::string::npos; at = message.find(kLit, at + 1)) {
    size_t name = at + sizeof(kLit) - 1;
    size_t n = Run(message, name, IsWord);
    if (n > 0 && At(message, name + n, "'")) return message.substr(name, n);
  }
  return std::nullopt;
}

std::optional<std::string> LoopSource(const std::string& text, const std::string& item) {
  const std::string lit = "for (const " + item + " of ";
  auto source_char = [](char c) { return IsWord(c) || c == '.'; };
  for (size_t at = text.find(lit); at != std::string::npos; at = text.find(lit, at + 1)) {
    size_t src = at + lit.size(), j = src;
    while (j < text.size() && source_char(text[j])) ++j;
    if (j > src && At(text, j, ")")) return text.substr(src, j - src);
  }
  return std::nullopt;
}

std::string ReplaceWord(const std::string& text, const std::string& word, const std::string& by) {
  if (word.empty()) return text;
  std::string out;
  size_t copied = 0;
  for (size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
    size_t after = at + word.size();
    if ((at > 0 && IsWord(text[at - 1])) || (after < text.size() && IsWord(text[after]))) continue;
    out.append(text, copied, at - copied);
    out += by;
    copied = after;
    at = after - 1;
  }
  return out.append(text, copied, std::string::npos);
}

std::optional<std::pair<std::string, std::string>> SplitAssignment(const std::string& line) {
  // `;\s*$`: the last ';', followed by whitespace only.
  size_t semi = line.rfind(';');
  if (semi == std::string::npos || Run(line, semi + 1, IsSpace) != line.size() - semi - 1) {
    return std::nullopt;
  }
  // Group 2 holds no ';': it starts after the one before `semi`.
  size_t prev_semi = semi == 0 ? std::string::npos : line.rfind(';', semi - 1);
  size_t min_g2 = prev_semi == std::string::npos ? 0 : prev_semi + 1;
  // `.*` stops at a line terminator ('\n' or '\r' in ECMAScript).
  size_t any_end = std::min(line.find_first_of("\r\n"), line.size());
  // `.*` is greedy: the last '=' that lets the rest match wins; `\s*` then gives back from the
  // longest run first.
  for (size_t eq = line.rfind('=', semi); eq != std::string::npos;
       eq = eq == 0 ? std::string::npos : line.rfind('=', eq - 1)) {
    if (eq > any_end) continue;
    size_t spaces = Run(line, eq + 1, IsSpace);
    for (size_t s = spaces + 1; s-- > 0;) {
      size_t g2 = eq + 1 + s;
      if (g2 >= semi || g2 < min_g2 || line[g2] == '=' || line[g2] == ';') continue;
      return std::make_pair(line.substr(0, g2), line.substr(g2, semi - g2));
    }
  }
  return std::nullopt;
}

std::optional<QuotedNumber> FindQuotedNumber(const std::string& line) {
  auto quote = [](char c) { return c == '"' || c == '\''; };
  for (size_t i = 0; i < line.size(); ++i) {
    if (!quote(line[i])) continue;
    size_t j = i + 1;
    if (j < line.size() && line[j] == '-') ++j;
    size_t digits = Run(line, j, IsDigit);
    if (digits == 0) continue;
    size_t k = j + digits;
    size_t end = std::string::npos;
    if (k < line.size() && line[k] == '.') {
      size_t frac = Run(line, k + 1, IsDigit);
      if (frac > 0 && k + 1 + frac < line.size() && quote(line[k + 1 + frac])) end = k + 2 + frac;
    }
    if (end == std::string::npos && k < line.size() && quote(line[k])) end = k + 1;
    if (end == std::string::npos) continue;
    return QuotedNumber{i, end - i, line.substr(i + 1, end - i - 2)};
  }
  return std::nullopt;
}

// A failed try reads to the next quote, and a later try starts at or after it: linear.
std::vector<std::string> SourceHrefs(const std::string& source) {
  auto quote = [](char c) { return c == '"' || c == '\''; };
  std::vector<std::string> out;
  for (size_t at = source.find("href="); at != std::string::npos;
       at = source.find("href=", at + 1)) {
    size_t open = at + 5;
    if (open >= source.size() || !quote(source[open])) continue;
    size_t close = source.find_first_of("\"'", open + 1);
    if (close == std::string::npos || close == open + 1) continue;
    out.push_back(source.substr(open + 1, close - open - 1));
    at = close;
  }
  return out;
}

}  // namespace slipway::emulator
