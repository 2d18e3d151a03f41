// engine/base/bearer_token.cc: see bearer_token.h.
#include "engine/base/bearer_token.h"

#include <cstdint>
#include <fstream>

namespace slipway {

namespace {

constexpr size_t kTokenBytes = 32;

std::string Base64Url(const std::string& bytes) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> bits) & 0x3f]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 0x3f]);
  return out;
}

}  // namespace

Result<std::string> NewBearerToken() {
  std::ifstream in("/dev/urandom", std::ios::binary);
  std::string bytes(kTokenBytes, '\0');
  if (!in.read(bytes.data(), static_cast<std::streamsize>(kTokenBytes))) {
    return Unavailable("cannot read /dev/urandom");
  }
  return Base64Url(bytes);
}

}  // namespace slipway
