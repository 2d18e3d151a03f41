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

namespace {
// True when the parameters after a link's '>' (up to the next link) include rel="next"; rel
// may list several space-separated types.
bool HasRelNext(const std::string& params) {
  size_t at = params.find("rel=");
  if (at == std::string::npos) return false;
  std::string value = params.substr(at + 4);
  if (!value.empty() && value[0] == '"') {
    size_t close = value.find('"', 1);
    value = value.substr(1, close == std::string::npos ? std::string::npos : close - 1);
  } else {
    value = value.substr(0, value.find_first_of(";, "));
  }
  for (size_t i = 0; i < value.size();) {
    size_t end = value.find(' ', i);
    if (end == std::string::npos) end = value.size();
    if (value.compare(i, end - i, "next") == 0) return true;
    i = end + 1;
  }
  return false;
}
}  // namespace

std::optional<std::string> NextPageUrl(const HttpHeaders& headers) {
  std::optional<std::string> link = headers.Get("Link");
  if (!link) return std::nullopt;
  const std::string& h = *link;
  size_t i = 0;
  while (i < h.size()) {
    size_t open = h.find('<', i);
    if (open == std::string::npos) return std::nullopt;
    size_t close = h.find('>', open + 1);
    if (close == std::string::npos) return std::nullopt;
    size_t next_link = h.find('<', close + 1);  // parameters never hold '<'
    std::string params = h.substr(close + 1, next_link == std::string::npos
                                                 ? std::string::npos
                                                 : next_link - close - 1);
    if (HasRelNext(params)) return h.substr(open + 1, close - open - 1);
    if (next_link == std::string::npos) return std::nullopt;
    i = next_link;
  }
  return std::nullopt;
}

std::string UrlOrigin(const std::string& url) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return "";
  size_t end = url.find_first_of("/?#", scheme + 3);
  std::string origin = url.substr(0, end);
  for (char& c : origin) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return origin;
}

Result<nlohmann::json> ParseJsonBody(const HttpResponse& response, const std::string& what) {
  nlohmann::json j = nlohmann::json::parse(response.body, nullptr, false);
  if (j.is_discarded()) return Unavailable(what + ": response body is not JSON");
  return j;
}

}  // namespace slipway::activities
