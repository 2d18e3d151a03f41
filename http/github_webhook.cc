// http/github_webhook.cc: signature check and push facts (see the header).
#include "http/github_webhook.h"

#include "engine/base/hmac.h"

namespace slipway::http {

using nlohmann::json;

namespace {

constexpr const char* kSignaturePrefix = "sha256=";
constexpr size_t kMaxFullName = 200;
constexpr size_t kMaxPusher = 64;

bool AllOf(const std::string& s, const char* alphabet) {
  return s.find_first_not_of(alphabet) == std::string::npos;
}

// Pusher names land in history as the actor: keep them to a login's alphabet.
std::string CleanName(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (out.size() == kMaxPusher) break;
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') {
      out.push_back(c);
    }
  }
  return out.empty() ? "unknown" : out;
}

std::string StringAt(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

Status VerifyGitHubSignature(const std::string& secret, const std::string& body,
                             const std::string& header) {
  const std::string expected = kSignaturePrefix + HmacSha256Hex(secret, body);
  if (secret.empty() || !ConstantTimeEquals(header, expected)) {
    return Status(Code::kUnauthenticated, "X-Hub-Signature-256 does not match the body",
                  "X-Hub-Signature-256");
  }
  return Status::Ok();
}

Result<std::string> RepositoryFullName(const json& payload) {
  const Status bad = InvalidArgument("repository.full_name", "must be \"owner/name\"");
  auto repo = payload.find("repository");
  if (repo == payload.end() || !repo->is_object()) return bad;
  const std::string name = StringAt(*repo, "full_name");
  const size_t slash = name.find('/');
  if (name.empty() || name.size() > kMaxFullName || slash == std::string::npos ||
      slash == 0 || slash + 1 == name.size() || name.find('/', slash + 1) != std::string::npos) {
    return bad;
  }
  return name;
}

Result<PushFacts> ReadPush(const json& payload) {
  PushFacts f;
  auto ref = payload.find("ref");
  if (ref == payload.end() || !ref->is_string()) {
    return InvalidArgument("ref", "a push names its ref");
  }
  const std::string heads = "refs/heads/";
  const std::string r = ref->get<std::string>();
  if (r.rfind(heads, 0) == 0) f.branch = r.substr(heads.size());
  f.after = StringAt(payload, "after");
  if (f.after.size() > 64 || !AllOf(f.after, "0123456789abcdef")) {
    return InvalidArgument("after", "must be a commit sha");
  }
  auto deleted = payload.find("deleted");
  f.deleted = deleted != payload.end() && deleted->is_boolean() && deleted->get<bool>();
  auto pusher = payload.find("pusher");
  f.pusher = CleanName(pusher != payload.end() && pusher->is_object() ? StringAt(*pusher, "name")
                                                                        : "");
  auto commits = payload.find("commits");
  if (commits != payload.end() && commits->is_array()) {
    f.commits = static_cast<int>(commits->size());
    f.only_slipway = f.commits > 0;
    for (const json& c : *commits) {
      const std::string message = c.is_object() ? StringAt(c, "message") : "";
      if (message.find(kSlipwayCommitTrailer) == std::string::npos) f.only_slipway = false;
    }
  }
  return f;
}

bool IsDeliveryId(const std::string& id) {
  return !id.empty() && id.size() <= 64 &&
         AllOf(id, "0123456789abcdefABCDEFghijklmnopqrstuvwxyzGHIJKLMNOPQRSTUVWXYZ-");
}

}  // namespace slipway::http
