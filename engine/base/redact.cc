#include "engine/base/redact.h"

#include <algorithm>
#include <cctype>
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
  return std::regex_replace(text, CredentialPattern(), kRedacted);
}

nlohmann::json RedactJson(const nlohmann::json& value) {
  if (value.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (auto it = value.begin(); it != value.end(); ++it) {
      // Counters such as input_tokens are numbers, not secrets: only strings and structures
      // under a secret-looking key are masked.
      if (IsSecretKey(it.key()) && !it->is_number() && !it->is_boolean() && !it->is_null()) {
        out[it.key()] = kRedacted;
      } else {
        out[it.key()] = RedactJson(*it);
      }
    }
    return out;
  }
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& v : value) out.push_back(RedactJson(v));
    return out;
  }
  if (value.is_string()) return RedactText(value.get<std::string>());
  return value;
}

}  // namespace slipway
