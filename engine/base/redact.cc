// engine/base/redact.cc: redaction by a hand-written linear scanner.
//
// The credential forms are those of the pattern below (which an earlier version ran through
// the standard regex library, case-insensitively); the scanner gives exactly its leftmost-first matches:
//   (Bearer|token|Basic)\s+[A-Za-z0-9._~+/=-]{8,} | gh[pousr]_[A-Za-z0-9]{20,} |
//   github_pat_[A-Za-z0-9_]{20,} | sk-ant-[A-Za-z0-9_-]{10,} | sk-[A-Za-z0-9]{20,}
// libstdc++'s regex engine recurses once per character, so "token " + 100 KB of letters in a
// tenant's input overflowed the stack. Here every byte is looked at a bounded number of times
// (a failed try reads at most its keyword, one whitespace run and 20 more bytes), JSON is
// walked with an explicit stack, and nothing recurses.
#include "engine/base/redact.h"

#include <vector>

namespace slipway {

namespace {

// ASCII only, as the "C" locale the pattern was compiled in.
char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool HasAt(const std::string& text, size_t at, const char* lower_word) {
  for (size_t i = 0; lower_word[i] != '\0'; ++i) {
    if (at + i >= text.size() || Lower(text[at + i]) != lower_word[i]) return false;
  }
  return true;
}

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool IsSpace(char c) {  // ECMAScript \s in the "C" locale
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}
bool IsSchemeTokenChar(char c) {  // [A-Za-z0-9._~+/=-]
  return IsAsciiAlnum(c) || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' ||
         c == '=' || c == '-';
}
bool IsPatChar(char c) { return IsAsciiAlnum(c) || c == '_'; }
bool IsAnthropicChar(char c) { return IsAsciiAlnum(c) || c == '_' || c == '-'; }

template <typename Pred>
size_t RunLength(const std::string& text, size_t from, Pred pred) {
  size_t n = from;
  while (n < text.size() && pred(text[n])) ++n;
  return n - from;
}

// "<prefix><at least `min` chars of pred>": the length of that match at `at`, or 0.
template <typename Pred>
size_t PrefixedRun(const std::string& text, size_t at, const char* prefix, size_t min, Pred pred) {
  if (!HasAt(text, at, prefix)) return 0;
  size_t p = std::char_traits<char>::length(prefix);
  size_t n = RunLength(text, at + p, pred);
  return n >= min ? p + n : 0;
}

// (Bearer|token|Basic)\s+[A-Za-z0-9._~+/=-]{8,} at `at`, or 0. Whitespace is not a token char,
// so the greedy runs need no backtracking.
size_t SchemeCredential(const std::string& text, size_t at) {
  size_t word = HasAt(text, at, "bearer") ? 6
                : HasAt(text, at, "token") ? 5
                : HasAt(text, at, "basic") ? 5
                                           : 0;
  if (word == 0) return 0;
  size_t spaces = RunLength(text, at + word, IsSpace);
  if (spaces == 0) return 0;
  size_t n = RunLength(text, at + word + spaces, IsSchemeTokenChar);
  return n >= 8 ? word + spaces + n : 0;
}

// gh[pousr]_[A-Za-z0-9]{20,} at `at`, or 0.
size_t GitHubToken(const std::string& text, size_t at) {
  if (!HasAt(text, at, "gh") || at + 3 >= text.size() || text[at + 3] != '_') return 0;
  char kind = Lower(text[at + 2]);
  if (kind != 'p' && kind != 'o' && kind != 'u' && kind != 's' && kind != 'r') return 0;
  size_t n = RunLength(text, at + 4, IsAsciiAlnum);
  return n >= 20 ? 4 + n : 0;
}

// Length of the credential that starts at `at`, or 0: the pattern's alternatives in order,
// the first that matches wins (as in an ECMAScript regex).
size_t CredentialAt(const std::string& text, size_t at) {
  switch (Lower(text[at])) {
    case 'b':
    case 't':
      return SchemeCredential(text, at);
    case 'g': {
      size_t n = GitHubToken(text, at);
      return n != 0 ? n : PrefixedRun(text, at, "github_pat_", 20, IsPatChar);
    }
    case 's': {
      size_t n = PrefixedRun(text, at, "sk-ant-", 10, IsAnthropicChar);
      return n != 0 ? n : PrefixedRun(text, at, "sk-", 20, IsAsciiAlnum);
    }
    default:
      return 0;
  }
}

// Replaces every credential in text; false (text untouched) when there is none.
bool ReplaceCredentials(std::string& text) {
  std::string out;
  size_t copied = 0;
  for (size_t i = 0; i < text.size();) {
    size_t n = CredentialAt(text, i);
    if (n == 0) {
      ++i;
      continue;
    }
    out.append(text, copied, i - copied);
    out += kRedacted;
    i += n;
    copied = i;
  }
  if (copied == 0) return false;
  out.append(text, copied, std::string::npos);
  text = std::move(out);
  return true;
}

bool IsSecretValue(const nlohmann::json& v) {
  return !v.is_number() && !v.is_boolean() && !v.is_null();
}

}  // namespace

bool IsSecretKey(const std::string& key) {
  static const char* kWords[] = {"token",      "secret",     "password",    "passwd",
                                 "api_key",    "apikey",     "api-key",     "authorization",
                                 "cookie",     "private_key", "credential", "x-api-key"};
  std::string k = key;
  for (char& c : k) c = Lower(c);
  for (const char* w : kWords) {
    if (k.find(w) != std::string::npos) return true;
  }
  return false;
}

std::string RedactText(const std::string& text) {
  std::string out = text;
  ReplaceCredentials(out);
  return out;
}

void RedactJsonInPlace(nlohmann::json& value) {
  // An explicit stack: a tenant's JSON may nest as deep as its body is long.
  std::vector<nlohmann::json*> todo{&value};
  while (!todo.empty()) {
    nlohmann::json& v = *todo.back();
    todo.pop_back();
    if (v.is_object()) {
      for (auto it = v.begin(); it != v.end(); ++it) {
        // Counters such as input_tokens are numbers, not secrets: only strings and structures
        // under a secret-looking key are masked.
        if (IsSecretKey(it.key()) && IsSecretValue(*it)) {
          *it = kRedacted;
        } else {
          todo.push_back(&*it);
        }
      }
    } else if (v.is_array()) {
      for (auto& item : v) todo.push_back(&item);
    } else if (v.is_string()) {
      ReplaceCredentials(v.get_ref<std::string&>());
    }
  }
}

nlohmann::json RedactJson(const nlohmann::json& value) {
  nlohmann::json out = value;
  RedactJsonInPlace(out);
  return out;
}

}  // namespace slipway
