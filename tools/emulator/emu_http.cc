#include "tools/emulator/emu_http.h"

#include <Poco/DigestEngine.h>
#include <Poco/SHA1Engine.h>

#include <cctype>
#include <cstdint>
#include <cstring>
#include <random>
#include <sstream>

namespace slipway::emulator {

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : path) {
    if (c == '/') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

bool MatchRoute(const std::vector<std::string>& segments, const std::vector<std::string>& pattern,
                std::vector<std::string>* captures) {
  captures->clear();
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == "**") {
      std::string rest;
      for (size_t j = i; j < segments.size(); ++j) rest += (j > i ? "/" : "") + segments[j];
      captures->push_back(rest);
      return true;
    }
    if (i >= segments.size()) return false;
    if (pattern[i] == "*") {
      captures->push_back(segments[i]);
    } else if (pattern[i] != segments[i]) {
      return false;
    }
  }
  return segments.size() == pattern.size();
}

nlohmann::json ParseObject(const std::string& body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object()) return nlohmann::json();
  return j;
}

namespace {
const char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}  // namespace

std::string Base64Encode(const std::string& data) {
  std::string out;
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    uint32_t v = (uint8_t(data[i]) << 16) | (uint8_t(data[i + 1]) << 8) | uint8_t(data[i + 2]);
    for (int k = 3; k >= 0; --k) out += kB64[(v >> (6 * k)) & 63];
    if (out.size() % 61 == 60) out += '\n';  // GitHub's content has line breaks; clients cope
  }
  if (i < data.size()) {
    uint32_t v = uint8_t(data[i]) << 16;
    if (i + 1 < data.size()) v |= uint8_t(data[i + 1]) << 8;
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += i + 1 < data.size() ? kB64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

bool Base64Decode(const std::string& text, std::string* out) {
  out->clear();
  uint32_t acc = 0;
  int bits = 0;
  size_t pad = 0;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    if (c == '=') {
      ++pad;
      continue;
    }
    const char* pos = std::strchr(kB64, c);
    if (pos == nullptr || c == '\0' || pad > 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(pos - kB64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      *out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return pad <= 2;
}

std::string Sha1Hex(const std::string& data) {
  Poco::SHA1Engine sha;
  sha.update(data);
  return Poco::DigestEngine::digestToHex(sha.digest());
}

std::string RandomHex(size_t chars) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char* kHex = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < chars; ++i) s += kHex[rng() % 16];
  return s;
}

}  // namespace slipway::emulator
