// workflows/website_data.cc: the website_data schema check (see website_data.h). Plain loops
// over bounded strings; every refusal names the field's path under "website_data".
#include "workflows/website_data.h"

#include <algorithm>
#include <set>
#include <string>

namespace slipway::workflows {

namespace {

using nlohmann::json;

constexpr size_t kMaxKeyLength = 64;

struct TextRule {
  size_t min;
  size_t max;
  bool multiline;  // newlines and tabs allowed
};
constexpr TextRule kSiteName{1, 100, false};
constexpr TextRule kTagline{0, 200, true};
constexpr TextRule kTitle{1, 200, false};
constexpr TextRule kBody{0, kMaxPageBodyLength, true};
constexpr TextRule kLabel{1, 100, false};
constexpr TextRule kCustomText{0, 2000, true};

// JSON strings reaching us are valid UTF-8 (the parser refuses the rest): count lead bytes.
size_t CodePoints(std::string_view s) {
  return static_cast<size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

bool HasControl(std::string_view s, bool multiline) {
  for (unsigned char c : s) {
    if (c == 0x7F) return true;
    if (c >= 0x20) continue;
    if (multiline && (c == '\n' || c == '\r' || c == '\t')) continue;
    return true;
  }
  return false;
}

bool IsAsciiAlnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool IsKeyName(std::string_view k) {
  if (k.empty() || k.size() > kMaxKeyLength) return false;
  return std::all_of(k.begin(), k.end(),
                     [](unsigned char c) { return IsAsciiAlnum(c) || c == '_' || c == '-'; });
}

Status CheckText(const json& v, const std::string& field, TextRule rule) {
  if (!v.is_string()) return InvalidArgument(field, "must be a string");
  const std::string& s = v.get_ref<const std::string&>();
  const size_t n = CodePoints(s);
  if (n < rule.min || n > rule.max) {
    return InvalidArgument(field, "must be " + std::to_string(rule.min) + " to " +
                                      std::to_string(rule.max) + " characters long");
  }
  if (HasControl(s, rule.multiline)) {
    return InvalidArgument(field, rule.multiline
                                      ? "must hold no control characters but newline and tab"
                                      : "must be one line without control characters");
  }
  return Status::Ok();
}

// Refuses a key outside `allowed`. The field names it only when it is a plain name: the key
// is tenant text of any length and bytes.
Status CheckKeys(const json& obj, const std::string& where,
                 std::initializer_list<std::string_view> allowed) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (std::find(allowed.begin(), allowed.end(), it.key()) != allowed.end()) continue;
    const std::string why =
        "is not part of the website_data schema (template-specific values "
        "go under website_data.custom)";
    if (IsKeyName(it.key())) return InvalidArgument(where + "." + it.key(), why);
    return InvalidArgument(where, "has a key that " + why);
  }
  return Status::Ok();
}

Status CheckArray(const json& v, const std::string& field, size_t min, size_t max) {
  if (!v.is_array()) return InvalidArgument(field, "must be an array");
  if (v.size() < min || v.size() > max) {
    return InvalidArgument(
        field, "must hold " + std::to_string(min) + " to " + std::to_string(max) + " entries");
  }
  return Status::Ok();
}

Status CheckPage(const json& page, const std::string& where, std::set<std::string>& slugs) {
  if (!page.is_object()) return InvalidArgument(where, "must be an object");
  SLIPWAY_RETURN_IF_ERROR(CheckKeys(page, where, {"slug", "title", "body"}));
  if (!page.contains("slug")) return InvalidArgument(where + ".slug", "is required");
  if (!page.contains("title")) return InvalidArgument(where + ".title", "is required");
  const json& slug = page["slug"];
  if (!slug.is_string() || !IsValidSlug(slug.get_ref<const std::string&>())) {
    return InvalidArgument(where + ".slug",
                           "must be 1 to 64 characters of a-z, 0-9 and '-', not starting or "
                           "ending with '-' (it becomes the page's file name)");
  }
  if (!slugs.insert(slug.get<std::string>()).second) {
    return InvalidArgument(where + ".slug", "is the slug of an earlier page");
  }
  SLIPWAY_RETURN_IF_ERROR(CheckText(page["title"], where + ".title", kTitle));
  if (page.contains("body"))
    SLIPWAY_RETURN_IF_ERROR(CheckText(page["body"], where + ".body", kBody));
  return Status::Ok();
}

Status CheckLink(const json& link, const std::string& where) {
  if (!link.is_object()) return InvalidArgument(where, "must be an object");
  SLIPWAY_RETURN_IF_ERROR(CheckKeys(link, where, {"label", "href"}));
  if (!link.contains("label")) return InvalidArgument(where + ".label", "is required");
  if (!link.contains("href")) return InvalidArgument(where + ".href", "is required");
  SLIPWAY_RETURN_IF_ERROR(CheckText(link["label"], where + ".label", kLabel));
  const json& href = link["href"];
  if (!href.is_string() || !IsSafeHref(href.get_ref<const std::string&>())) {
    return InvalidArgument(where + ".href",
                           "must be an http(s)://, mailto:, tel: or relative URL of at most 2048 "
                           "characters without spaces (javascript: and other schemes are refused)");
  }
  return Status::Ok();
}

Status CheckCustom(const json& custom, const std::string& where) {
  if (!custom.is_object()) return InvalidArgument(where, "must be an object");
  if (custom.size() > kMaxCustomEntries) {
    return InvalidArgument(where,
                           "must hold at most " + std::to_string(kMaxCustomEntries) + " entries");
  }
  for (auto it = custom.begin(); it != custom.end(); ++it) {
    if (!IsKeyName(it.key())) {
      return InvalidArgument(where, "keys must be 1 to 64 characters of A-Z, a-z, 0-9, '_', '-'");
    }
    const json& v = it.value();
    if (v.is_string()) {
      SLIPWAY_RETURN_IF_ERROR(CheckText(v, where + "." + it.key(), kCustomText));
    } else if (!v.is_number() && !v.is_boolean() && !v.is_null()) {
      return InvalidArgument(where + "." + it.key(), "must be a string, number, boolean or null");
    }
  }
  return Status::Ok();
}

Status CheckPages(const json& pages, const std::string& where) {
  SLIPWAY_RETURN_IF_ERROR(CheckArray(pages, where, 1, kMaxPages));
  std::set<std::string> slugs;
  for (size_t i = 0; i < pages.size(); ++i) {
    SLIPWAY_RETURN_IF_ERROR(CheckPage(pages[i], where + "[" + std::to_string(i) + "]", slugs));
  }
  return Status::Ok();
}

Status CheckLinks(const json& links, const std::string& where) {
  SLIPWAY_RETURN_IF_ERROR(CheckArray(links, where, 0, kMaxLinks));
  for (size_t i = 0; i < links.size(); ++i) {
    SLIPWAY_RETURN_IF_ERROR(CheckLink(links[i], where + "[" + std::to_string(i) + "]"));
  }
  return Status::Ok();
}

bool IsEmailLocalChar(unsigned char c) {
  static constexpr std::string_view kSpecials = ".!#$%&'*+/=?^_`{|}~-";
  return IsAsciiAlnum(c) || kSpecials.find(static_cast<char>(c)) != std::string_view::npos;
}

// A DNS label as HTML's e-mail rule has it: 1..63 of [A-Za-z0-9-], no '-' at either end.
bool IsDomainLabel(std::string_view label) {
  if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
    return false;
  }
  return std::all_of(label.begin(), label.end(),
                     [](unsigned char c) { return IsAsciiAlnum(c) || c == '-'; });
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

bool IsTelNumber(std::string_view n) {
  if (n.empty() || n.size() > 32) return false;
  bool digit = false;
  for (unsigned char c : n) {
    if (c >= '0' && c <= '9') {
      digit = true;
    } else if (c != '+' && c != '-' && c != '.' && c != '(' && c != ')') {
      return false;
    }
  }
  return digit;
}

}  // namespace

bool IsValidSlug(std::string_view slug) {
  if (slug.empty() || slug.size() > kMaxSlugLength) return false;
  if (slug.front() == '-' || slug.back() == '-') return false;
  return std::all_of(slug.begin(), slug.end(), [](unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

bool IsValidEmail(std::string_view email) {
  if (email.size() > kMaxEmailLength) return false;
  const size_t at = email.find('@');
  if (at == std::string_view::npos || at == 0 || at > 64) return false;
  std::string_view local = email.substr(0, at);
  if (!std::all_of(local.begin(), local.end(), IsEmailLocalChar)) return false;
  std::string_view domain = email.substr(at + 1);
  while (true) {
    const size_t dot = domain.find('.');
    if (!IsDomainLabel(domain.substr(0, dot))) return false;
    if (dot == std::string_view::npos) return true;
    domain.remove_prefix(dot + 1);
  }
}

bool IsSafeHref(std::string_view href) {
  if (href.empty() || href.size() > kMaxHrefLength) return false;
  for (unsigned char c : href) {
    if (c <= 0x20 || c == 0x7F || c == '\\' || c == '"' || c == '<' || c == '>' || c == '`') {
      return false;
    }
  }
  const size_t end_of_scheme = href.find_first_of(":/?#");
  if (end_of_scheme == std::string_view::npos || href[end_of_scheme] != ':') {
    return href.rfind("//", 0) != 0;  // relative; "//host" would leave the site
  }
  for (std::string_view web : {"http://", "https://"}) {
    if (StartsWithNoCase(href, web)) {
      return href.size() > web.size() && href[web.size()] != '/';
    }
  }
  if (StartsWithNoCase(href, "mailto:")) return IsValidEmail(href.substr(7));
  if (StartsWithNoCase(href, "tel:")) return IsTelNumber(href.substr(4));
  return false;  // javascript:, data:, vbscript:, file:, and every other scheme
}

Status ValidateWebsiteData(const json& data) {
  const std::string where = "website_data";
  if (!data.is_object()) return InvalidArgument(where, "must be a JSON object");
  SLIPWAY_RETURN_IF_ERROR(
      CheckKeys(data, where, {"siteName", "tagline", "contactEmail", "pages", "links", "custom"}));
  if (!data.contains("siteName")) return InvalidArgument(where + ".siteName", "is required");
  if (!data.contains("pages")) return InvalidArgument(where + ".pages", "is required");
  SLIPWAY_RETURN_IF_ERROR(CheckText(data["siteName"], where + ".siteName", kSiteName));
  if (data.contains("tagline")) {
    SLIPWAY_RETURN_IF_ERROR(CheckText(data["tagline"], where + ".tagline", kTagline));
  }
  if (data.contains("contactEmail")) {
    const json& email = data["contactEmail"];
    if (!email.is_string() || !IsValidEmail(email.get_ref<const std::string&>())) {
      return InvalidArgument(where + ".contactEmail",
                             "must be an e-mail address (name@example.com) of at most 254 "
                             "characters");
    }
  }
  SLIPWAY_RETURN_IF_ERROR(CheckPages(data["pages"], where + ".pages"));
  if (data.contains("links")) SLIPWAY_RETURN_IF_ERROR(CheckLinks(data["links"], where + ".links"));
  if (data.contains("custom")) {
    SLIPWAY_RETURN_IF_ERROR(CheckCustom(data["custom"], where + ".custom"));
  }
  return Status::Ok();
}

Status CheckOptionalWebsiteData(const json& in) {
  if (!in.is_object() || !in.contains("website_data")) return Status::Ok();
  return ValidateWebsiteData(in["website_data"]);
}

}  // namespace slipway::workflows
