// activities/build/line_scan.cc: the matchers of line_scan.h. Each is a few forward or
// backward loops over the line; see the header for the pattern each one is equivalent to.
#include "activities/build/line_scan.h"

namespace slipway::activities::build::scan {
namespace {

bool Space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}
bool Digit(char c) { return c >= '0' && c <= '9'; }
bool Alnum(char c) { return Digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool Word(char c) { return Alnum(c) || c == '_'; }
bool Break(char c) { return c == '\n' || c == '\r'; }  // what `.` does not match

size_t SkipSpace(const std::string& s, size_t p) {
  while (p < s.size() && Space(s[p])) ++p;
  return p;
}
size_t SkipDigits(const std::string& s, size_t p) {
  while (p < s.size() && Digit(s[p])) ++p;
  return p;
}
bool NoBreak(const std::string& s, size_t from, size_t to) {
  for (size_t k = from; k < to; ++k) {
    if (Break(s[k])) return false;
  }
  return true;
}
bool At(const std::string& s, size_t p, const char* lit) {
  return s.compare(p, std::char_traits<char>::length(lit), lit) == 0;
}
void Set(Groups& m, int n, const std::string& s, size_t from, size_t to) {
  m.g[n] = s.substr(from, to - from);
  m.matched[n] = true;
}
// Start of the digit run ending at `end` (exclusive).
size_t DigitsBefore(const std::string& s, size_t end) {
  while (end > 0 && Digit(s[end - 1])) --end;
  return end;
}

// Tail "<open>(\d+)<mid>(\d+)<close>" ending exactly at `end`; fills groups a,b; returns the
// position of <open>, or npos.
size_t NumPairTail(const std::string& s, size_t end, char open, char mid, char close, Groups& m,
                   int a, int b) {
  if (end == 0 || s[end - 1] != close) return std::string::npos;
  size_t d2 = DigitsBefore(s, end - 1);
  if (d2 == end - 1 || d2 == 0 || s[d2 - 1] != mid) return std::string::npos;
  size_t d1 = DigitsBefore(s, d2 - 1);
  if (d1 == d2 - 1 || d1 == 0 || s[d1 - 1] != open) return std::string::npos;
  Set(m, a, s, d1, d2 - 1);
  Set(m, b, s, d2, end - 1);
  return d1 - 1;
}

// At p: "<open>(\d+)<sep>(\d+)<lit> error (TS\d+): (.*)" to the end; `lit` between.
bool TscTail(const std::string& s, size_t p, char sep, const char* lit, Groups& m) {
  size_t a = p + 1, ae = SkipDigits(s, a);
  if (ae == a || ae >= s.size() || s[ae] != sep) return false;
  size_t b = ae + 1, be = SkipDigits(s, b);
  if (be == b || !At(s, be, lit)) return false;
  size_t t = be + std::char_traits<char>::length(lit);
  size_t te = SkipDigits(s, t);
  if (te == t || !At(s, te, ": ")) return false;
  Set(m, 1, s, a, ae);
  Set(m, 2, s, b, be);
  Set(m, 3, s, t - 2, te);
  Set(m, 4, s, te + 2, s.size());
  return true;
}

bool TscLike(const std::string& s, char open, char sep, const char* lit, Groups& m) {
  if (!NoBreak(s, 0, s.size())) return false;
  for (size_t p = 1; p < s.size(); ++p) {
    if (s[p] == open && TscTail(s, p, sep, lit, m)) {
      Set(m, 0, s, 0, p);
      return true;
    }
  }
  return false;
}

// ^\s*(\d+):(\d+)\s*  then the severity word and the rest, shared by the two ESLint formats.
bool EslintEntry(const std::string& s, bool lead_space, const char* sev1, const char* sev2,
                 bool colon, Groups& m) {
  size_t p = lead_space ? SkipSpace(s, 0) : 0;
  if (lead_space && p == 0) return false;
  size_t le = SkipDigits(s, p);
  if (le == p || le >= s.size() || s[le] != ':') return false;
  size_t c = le + 1, ce = SkipDigits(s, c);
  size_t w = SkipSpace(s, ce);
  if (ce == c || w == ce) return false;
  const char* sev = At(s, w, sev1) ? sev1 : At(s, w, sev2) ? sev2 : nullptr;
  if (sev == nullptr) return false;
  size_t r = w + std::char_traits<char>::length(sev);
  if (colon) {
    if (r >= s.size() || s[r] != ':') return false;
    ++r;
  }
  size_t rest = SkipSpace(s, r);
  if (rest == r || !NoBreak(s, rest, s.size())) return false;
  Set(m, 0, s, p, le);
  Set(m, 1, s, c, ce);
  Set(m, 2, s, w, w + std::char_traits<char>::length(sev));
  Set(m, 3, s, rest, s.size());
  return true;
}

}  // namespace

bool SwcMessage(const std::string& s, Groups& m) {
  size_t p = SkipSpace(s, 0);
  if (At(s, p, "Error:")) p = SkipSpace(s, p + 6);
  if (At(s, p, "x")) p += 1;
  else if (At(s, p, "\xC3\x97")) p += 2;
  else return false;
  size_t r = SkipSpace(s, p);
  if (r == p || !NoBreak(s, r, s.size())) return false;
  Set(m, 0, s, r, s.size());
  return true;
}

bool SwcHeader(const std::string& s, Groups& m) {
  size_t p = SkipSpace(s, 0);
  if (!At(s, p, ",-[")) return false;
  p += 3;
  size_t end = s.size();
  while (end > p && Space(s[end - 1])) --end;
  size_t colon = NumPairTail(s, end, ':', ':', ']', m, 1, 2);
  if (colon == std::string::npos || colon <= p || !NoBreak(s, p, colon)) return false;
  Set(m, 0, s, p, colon);
  return true;
}

bool SwcCode(const std::string& s, Groups& m) {
  size_t p = SkipSpace(s, 0), e = SkipDigits(s, p);
  if (e == p || !At(s, e, " |")) return false;
  Set(m, 0, s, p, e);
  return true;
}

bool Babel(const std::string& s, Groups& m) {
  if (!At(s, 0, "SyntaxError: ")) return false;
  size_t p = 13;
  size_t body = At(s, p, "/") ? p + 1 : At(s, p, "./") ? p + 2 : std::string::npos;
  if (body == std::string::npos) return false;
  size_t colon = s.find(':', body);
  if (colon == std::string::npos || colon == body || !At(s, colon, ": ")) return false;
  size_t msg = colon + 2;
  size_t open = NumPairTail(s, s.size(), '(', ':', ')', m, 2, 3);
  if (open == std::string::npos || open < msg + 1 || s[open - 1] != ' ') return false;
  if (!NoBreak(s, msg, open - 1)) return false;
  Set(m, 0, s, p, colon);
  Set(m, 1, s, msg, open - 1);
  return true;
}

bool NodeHeader(const std::string& s, Groups& m) {
  size_t p = At(s, 0, "file://") ? 7 : 0;
  size_t colon = s.rfind(':');
  if (p >= s.size() || s[p] != '/' || colon == std::string::npos || colon < p + 2) return false;
  if (colon + 1 == s.size() || SkipDigits(s, colon + 1) != s.size()) return false;
  for (size_t k = p; k < colon; ++k) {
    if (Space(s[k])) return false;
  }
  Set(m, 0, s, p, colon);
  Set(m, 1, s, colon + 1, s.size());
  return true;
}

bool LineColSuffix(const std::string& s, Groups& m) {
  return NumPairTail(s, s.size(), '(', ':', ')', m, 0, 1) != std::string::npos;
}

bool JsonOffset(const std::string& s, Groups& m) {
  static const std::string kLit = "in JSON at position ";
  for (size_t at = s.find(kLit); at != std::string::npos; at = s.find(kLit, at + 1)) {
    size_t d = at + kLit.size(), e = SkipDigits(s, d);
    if (e > d) {
      Set(m, 0, s, d, e);
      return true;
    }
  }
  return false;
}

bool Resolve(const std::string& s, Groups& m) {
  static const std::string kLit = "Can't resolve '";
  for (size_t at = s.find(kLit); at != std::string::npos; at = s.find(kLit, at + 1)) {
    size_t b = at + kLit.size(), e = s.find('\'', b);
    if (e == std::string::npos) return false;
    if (e > b) {
      Set(m, 0, s, b, e);
      return true;
    }
  }
  return false;
}

bool TscPlain(const std::string& s, Groups& m) { return TscLike(s, '(', ',', "): error TS", m); }
bool TscPretty(const std::string& s, Groups& m) {
  return TscLike(s, ':', ':', " - error TS", m);
}

bool TscGlobal(const std::string& s, Groups& m) {
  if (!At(s, 0, "error TS")) return false;
  size_t e = SkipDigits(s, 8);
  if (e == 8 || !At(s, e, ": ") || !NoBreak(s, e + 2, s.size())) return false;
  Set(m, 0, s, 6, e);
  Set(m, 1, s, e + 2, s.size());
  return true;
}

bool QuotedFile(const std::string& s, Groups& m) {
  for (size_t p = s.find('"'); p != std::string::npos; p = s.find('"', p + 1)) {
    size_t e = p + 1;
    while (e < s.size() && s[e] != '"' && !Space(s[e])) ++e;
    if (e >= s.size() || s[e] != '"') continue;
    std::string tok = s.substr(p + 1, e - p - 1);
    for (const char* ext : {".tsx", ".ts", ".jsx", ".js", ".mjs"}) {
      size_t n = std::char_traits<char>::length(ext);
      if (tok.size() > n && tok.compare(tok.size() - n, n, ext) == 0) {
        Set(m, 0, s, p + 1, e);
        return true;
      }
    }
  }
  return false;
}

bool Rule(const std::string& s, Groups& m) {
  size_t t = s.size();
  while (t > 0 && !Space(s[t - 1])) --t;
  size_t w = t;
  while (w > 0 && Space(s[w - 1])) --w;
  if (t == s.size() || t - w < 2 || w == 0 || !NoBreak(s, 0, w)) return false;
  size_t r = t + (s[t] == '@' ? 1 : 0);
  if (r >= s.size() || !Alnum(s[r])) return false;
  for (size_t k = r + 1; k < s.size(); ++k) {
    char c = s[k];
    if (!Word(c) && c != '@' && c != '/' && c != '.' && c != '-') return false;
  }
  Set(m, 0, s, 0, w);
  Set(m, 1, s, t, s.size());
  return true;
}

bool StylishEntry(const std::string& s, Groups& m) {
  return EslintEntry(s, true, "error", "warning", false, m);
}
bool NextEslintEntry(const std::string& s, Groups& m) {
  return EslintEntry(s, false, "Error", "Warning", true, m);
}

bool PathLine(const std::string& s, Groups& m) {
  size_t g = s.find(':');
  if (g == std::string::npos) {
    g = s.size();
  } else {
    size_t a = g + 1, ae = SkipDigits(s, a);
    if (ae == a || ae >= s.size() || s[ae] != ':') return false;
    size_t b = ae + 1, be = SkipDigits(s, b);
    if (be == b || be != s.size()) return false;
    Set(m, 1, s, a, ae);
    Set(m, 2, s, b, be);
  }
  for (size_t k = 0; k < g; ++k) {
    if (Space(s[k]) || s[k] == '\'' || s[k] == '"') return false;
  }
  size_t dot = s.rfind('.', g == 0 ? 0 : g - 1);
  if (g == 0 || dot == std::string::npos || dot + 1 >= g) return false;
  for (size_t k = dot + 1; k < g; ++k) {
    if (!Alnum(s[k])) return false;
  }
  size_t prefix = std::string::npos;  // shortest valid (?:\./|/|[\w@.-]+/)
  if (s[0] == '/') prefix = 1;
  else if (At(s, 0, "./")) prefix = 2;
  else {
    size_t k = 0;
    while (k < g && (Word(s[k]) || s[k] == '@' || s[k] == '.' || s[k] == '-')) ++k;
    if (k > 0 && k < g && s[k] == '/') prefix = k + 1;
  }
  if (prefix == std::string::npos || dot < prefix + 1) return false;
  Set(m, 0, s, 0, g);
  return true;
}

}  // namespace slipway::activities::build::scan
