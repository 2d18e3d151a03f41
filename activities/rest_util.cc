#include "activities/rest_util.h"

#include <cctype>
#include <cstdint>
#include <cstring>

namespace slipway::activities {

namespace {
const char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Encode(const std::string& text, bool keep_slash) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}
}  // namespace

std::string Base64Encode(const std::string& data) {
  std::string out;
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    uint32_t v = (uint8_t(data[i]) << 16) | (uint8_t(data[i + 1]) << 8) | uint8_t(data[i + 2]);
    for (int k = 3; k >= 0; --k) out += kB64[(v >> (6 * k)) & 63];
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

Result<std::string> Base64Decode(const std::string& text) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  int pad = 0;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    if (c == '=') {
      ++pad;
      continue;
    }
    const char* pos = c == '\0' ? nullptr : std::strchr(kB64, c);
    if (pos == nullptr || pad > 0) return InvalidArgument("content", "invalid base64");
    acc = (acc << 6) | static_cast<uint32_t>(pos - kB64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  if (pad > 2) return InvalidArgument("content", "invalid base64 padding");
  return out;
}

std::string UrlEncode(const std::string& text) { return Encode(text, false); }
std::string UrlEncodePath(const std::string& path) { return Encode(path, true); }

std::string JsonText(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

namespace {
// "." or ".." once "%2e"/"%2E" are read as '.'.
bool IsDotSegment(const std::string& seg) {
  size_t dots = 0;
  for (size_t i = 0; i < seg.size();) {
    if (seg[i] == '.') {
      i += 1;
    } else if (seg.size() - i >= 3 && seg[i] == '%' && seg[i + 1] == '2' &&
               (seg[i + 2] == 'e' || seg[i + 2] == 'E')) {
      i += 3;
    } else {
      return false;
    }
    ++dots;
  }
  return dots == 1 || dots == 2;
}
}  // namespace

Status CheckUrlPath(const std::string& url) {
  size_t scheme = url.find("://");
  size_t start = scheme == std::string::npos ? 0 : url.find('/', scheme + 3);
  if (start == std::string::npos) return Status::Ok();
  size_t end = url.find_first_of("?#", start);
  if (end == std::string::npos) end = url.size();
  size_t seg = start + 1;
  for (size_t i = seg; i <= end; ++i) {
    if (i < end && url[i] != '/') continue;
    if (IsDotSegment(url.substr(seg, i - seg))) {
      return InvalidArgument("path", "a URL path segment may not be '.' or '..'");
    }
    seg = i + 1;
  }
  return Status::Ok();
}

Result<nlohmann::json> ParseJsonBody(const HttpResponse& response, const std::string& what) {
  nlohmann::json j = nlohmann::json::parse(response.body, nullptr, false);
  if (j.is_discarded()) return Unavailable(what + ": response body is not JSON");
  return j;
}

}  // namespace slipway::activities
