#include "tools/emulator/pagination.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <string>

namespace slipway::emulator {

namespace {

constexpr int64_t kDefaultPerPage = 30;
constexpr int64_t kMaxPerPage = 100;

int64_t IntQuery(const EmuRequest& req, const std::string& name, int64_t fallback) {
  const std::string v = req.Query(name);
  if (v.empty() || v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos) {
    return fallback;
  }
  return std::max<int64_t>(1, std::atoll(v.c_str()));
}

std::string PercentEncode(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string PageUrl(const EmuRequest& req, int64_t per_page, int64_t page) {
  std::string url = req.base_url + PercentEncode(req.path) + "?";
  for (const auto& [k, v] : req.query) {
    if (k != "page" && k != "per_page") url += PercentEncode(k) + "=" + PercentEncode(v) + "&";
  }
  return url + "per_page=" + std::to_string(per_page) + "&page=" + std::to_string(page);
}

}  // namespace

EmuResponse PagedList(const EmuRequest& req, const nlohmann::json& items) {
  const int64_t per_page = std::min(IntQuery(req, "per_page", kDefaultPerPage), kMaxPerPage);
  const int64_t page = IntQuery(req, "page", 1);
  const int64_t total = static_cast<int64_t>(items.size());
  const int64_t last = std::max<int64_t>(1, (total + per_page - 1) / per_page);
  nlohmann::json out = nlohmann::json::array();
  for (int64_t i = (page - 1) * per_page; i < std::min(total, page * per_page); ++i) {
    out.push_back(items[static_cast<size_t>(i)]);
  }
  EmuResponse resp = Json(200, out);
  std::string link;
  auto add = [&](int64_t p, const char* rel) {
    link += (link.empty() ? "" : ", ") + ("<" + PageUrl(req, per_page, p) + ">; rel=\"" + rel + "\"");
  };
  if (page < last) {
    add(page + 1, "next");
    add(last, "last");
  }
  if (page > 1) {
    add(std::min(page - 1, last), "prev");
    add(1, "first");
  }
  if (!link.empty()) resp.headers.emplace_back("Link", link);
  return resp;
}

}  // namespace slipway::emulator
