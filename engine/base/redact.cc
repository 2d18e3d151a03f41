#include "engine/base/redact.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <regex>

namespace slipway {

namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

const std::regex& CredentialPattern() {
  // Bearer/token schemes and the well-known prefixes of GitHub, Anthropic and Vercel tokens.
  static const std::regex re(
      R"((Bearer|token|Basic)\s+[A-Za-z0-9._~+/=-]{8,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|sk-ant-[A-Za-z0-9_-]{10,}|sk-[A-Za-z0-9]{20,})",
      std::regex::icase);
  return re;
}

char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool HasAt(const std::string& text, size_t at, const char* lower_word) {
  for (size_t i = 0; lower_word[i] != '\0'; ++i) {
    if (at + i >= text.size() || Lower(text[at + i]) != lower_word[i]) return false;
  }
  return true;
}

// A cheap pre-check that every match of CredentialPattern passes: one of its literal parts
// occurs (case-insensitively). Most history strings (keys, step names, ids) contain none,
// and std::regex is slow, so they skip it.
bool MayHoldCredential(const std::string& text) {
  for (size_t i = 0; i < text.size(); ++i) {
    switch (Lower(text[i])) {
      case 'b':
        if (HasAt(text, i, "bearer") || HasAt(text, i, "basic")) return true;
        break;
      case 't':
        if (HasAt(text, i, "token")) return true;
        break;
      case 'g':
        if (HasAt(text, i, "github_pat_")) return true;
        if (i + 3 < text.size() && Lower(text[i + 1]) == 'h' && text[i + 3] == '_' &&
            std::strchr("pousr", Lower(text[i + 2])) != nullptr) {
          return true;
        }
        break;
      case 's':
        if (HasAt(text, i, "sk-")) return true;
        break;
      default:
        break;
    }
  }
  return false;
}

std::string ReplaceCredentials(const std::string& text) {
  return std::regex_replace(text, CredentialPattern(), kRedacted);
}

bool IsSecretValue(const nlohmann::json& v) {
  return !v.is_number() && !v.is_boolean() && !v.is_null();
}

}  // namespace

bool IsSecretKey(const std::string& key) {
  static const char* kWords[] = {"token",      "secret",     "password",    "passwd",
                                 "api_key",    "apikey",     "api-key",     "authorization",
                                 "cookie",     "private_key", "credential", "x-api-key"};
  std::string k = Lower(key);
  for (const char* w : kWords) {
    if (k.find(w) != std::string::npos) return true;
  }
  return false;
}

std::string RedactText(const std::string& text) {
  return MayHoldCredential(text) ? ReplaceCredentials(text) : text;
}

void RedactJsonInPlace(nlohmann::json& value) {
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      // Counters such as input_tokens are numbers, not secrets: only strings and structures
      // under a secret-looking key are masked.
      if (IsSecretKey(it.key()) && IsSecretValue(*it)) {
        *it = kRedacted;
      } else {
        RedactJsonInPlace(*it);
      }
    }
  } else if (value.is_array()) {
    for (auto& v : value) RedactJsonInPlace(v);
  } else if (value.is_string()) {
    std::string& text = value.get_ref<std::string&>();
    if (MayHoldCredential(text)) text = ReplaceCredentials(text);
  }
}

nlohmann::json RedactJson(const nlohmann::json& value) {
  nlohmann::json out = value;
  RedactJsonInPlace(out);
  return out;
}

}  // namespace slipway
