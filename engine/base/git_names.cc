// engine/base/git_names.cc: git ref names, shas, repository names, remote ids, host names.
#include "engine/base/git_names.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "engine/base/sha256.h"

namespace slipway {

namespace {

bool EndsWith(const std::string& s, size_t end, const char* suffix) {
  size_t n = std::strlen(suffix);
  return end >= n && s.compare(end - n, n, suffix) == 0;
}

// Why a byte may never appear in a ref name (git check-ref-format rules 4, 5 and 10).
bool ForbiddenRefByte(unsigned char c) {
  return c < 0x20 || c == 0x7f || std::strchr(" ~^:?*[\\", c) != nullptr;
}

// Rule 1: a component must not start with '.' nor end with ".lock"; rule 6: none is empty.
Status CheckComponents(const std::string& ref, const std::string& field) {
  size_t start = 0;
  for (size_t i = 0; i <= ref.size(); ++i) {
    if (i < ref.size() && ref[i] != '/') continue;
    if (i == start) return InvalidArgument(field, "must not have an empty path component (//)");
    if (ref[start] == '.') return InvalidArgument(field, "no path component may start with '.'");
    if (EndsWith(ref, i, ".lock")) return InvalidArgument(field, "no component may end in .lock");
    start = i + 1;
  }
  return Status::Ok();
}

bool IsIdByte(unsigned char c) { return std::isalnum(c) || c == '.' || c == '_' || c == '-'; }

}  // namespace

Status ValidateRefName(const std::string& ref, const std::string& field) {
  if (ref.empty()) return InvalidArgument(field, "must be a non-empty git branch name");
  if (ref.size() > kMaxRefNameLength) {
    return InvalidArgument(field, "must be at most " + std::to_string(kMaxRefNameLength) +
                                      " bytes");
  }
  if (ref.front() == '-') return InvalidArgument(field, "must not start with '-'");
  if (ref.front() == '/' || ref.back() == '/') {
    return InvalidArgument(field, "must not start or end with '/'");
  }
  if (ref.back() == '.') return InvalidArgument(field, "must not end with '.'");
  if (ref == "@" || ref == "HEAD") return InvalidArgument(field, "is not a branch name");
  for (size_t i = 0; i < ref.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(ref[i]);
    if (ForbiddenRefByte(c)) {
      return InvalidArgument(field, "must not contain control characters, spaces or ~^:?*[\\");
    }
    char next = i + 1 < ref.size() ? ref[i + 1] : '\0';
    if (c == '.' && next == '.') return InvalidArgument(field, "must not contain '..'");
    if (c == '@' && next == '{') return InvalidArgument(field, "must not contain '@{'");
  }
  return CheckComponents(ref, field);
}

bool IsCommitSha(const std::string& sha) {
  if (sha.size() != 40) return false;
  for (char c : sha) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

Status ValidateCommitSha(const std::string& sha, const std::string& field) {
  if (IsCommitSha(sha)) return Status::Ok();
  return InvalidArgument(field, "must be a commit sha (40 hex digits)");
}

Status ValidateRepoName(const std::string& name, const std::string& field) {
  if (name.empty() || name.size() > kMaxRepoNameLength) {
    return InvalidArgument(field, "must be 1-" + std::to_string(kMaxRepoNameLength) +
                                      " characters");
  }
  if (name == "." || name == "..") return InvalidArgument(field, "must not be '.' or '..'");
  for (char c : name) {
    if (!IsIdByte(static_cast<unsigned char>(c))) {
      return InvalidArgument(field, "may hold only letters, digits, '.', '_' and '-'");
    }
  }
  return Status::Ok();
}

Status ValidateRemoteId(const std::string& id, const std::string& field) {
  if (id.empty() || id.size() > kMaxRemoteIdLength) {
    return InvalidArgument(field, "must be 1-" + std::to_string(kMaxRemoteIdLength) +
                                      " characters");
  }
  if (id.front() == '.') return InvalidArgument(field, "must not start with '.'");
  for (char c : id) {
    if (!IsIdByte(static_cast<unsigned char>(c))) {
      return InvalidArgument(field, "may hold only letters, digits, '.', '_' and '-'");
    }
  }
  return Status::Ok();
}

bool IsHostName(const std::string& name) {
  if (name.empty() || name.size() > 253 || name.find('.') == std::string::npos) return false;
  size_t label = 0;
  bool all_digits = true;
  for (size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      if (label == 0 || label > 63 || name[i - 1] == '-' || name[i - label] == '-') return false;
      if (i == name.size() && all_digits) return false;  // "1.2.3.4" is an address
      label = 0;
      all_digits = true;
      continue;
    }
    unsigned char c = static_cast<unsigned char>(name[i]);
    if (!std::isalnum(c) && c != '-') return false;
    all_digits = all_digits && std::isdigit(c);
    ++label;
  }
  return true;
}

std::string LowerHostName(const std::string& name) {
  std::string out = name;
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsUnderDomain(const std::string& host, const std::string& base) {
  if (base.empty()) return false;
  std::string h = LowerHostName(host);
  std::string b = LowerHostName(base);
  while (!b.empty() && b.back() == '.') b.pop_back();
  while (!h.empty() && h.back() == '.') h.pop_back();
  if (b.empty()) return false;
  if (h == b) return true;
  return h.size() > b.size() && h.compare(h.size() - b.size(), b.size(), b) == 0 &&
         h[h.size() - b.size() - 1] == '.';
}

std::string BranchNameFor(const std::string& prefix, const std::string& id) {
  std::string mapped = id;
  std::replace(mapped.begin(), mapped.end(), ':', '/');
  std::string name = prefix + mapped;
  if (!id.empty() && ValidateRefName(name, "branch").ok()) return name;
  return prefix + "sha-" + Sha256Hex(id).substr(0, 40);
}

}  // namespace slipway
