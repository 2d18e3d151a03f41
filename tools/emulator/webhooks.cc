// tools/emulator/webhooks.cc: push and ping deliveries, the deliveries API, the admin push.
#include "tools/emulator/webhooks.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>

#include <algorithm>
#include <sstream>

#include "engine/base/hmac.h"

namespace slipway::emulator {

namespace {

using nlohmann::json;

constexpr size_t kMaxKept = 1000;        // deliveries remembered
constexpr int kMaxCommitsListed = 20;    // commits[] of one push
constexpr int kDeliveryTimeoutS = 10;    // GitHub gives a receiver 10 s

std::string Guid() {
  std::string h = RandomHex(32);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20, 12);
}

json RepoPayload(const RepoInfo& r) {
  return {{"id", r.id},
          {"node_id", "R_emu" + std::to_string(r.id)},
          {"name", r.name},
          {"full_name", r.full_name()},
          {"private", r.is_private},
          {"owner", {{"login", r.owner}, {"name", r.owner}, {"id", 9001}, {"type", "Organization"}}},
          {"html_url", "https://github.com/" + r.full_name()},
          {"default_branch", r.default_branch},
          {"master_branch", r.default_branch}};
}

// The commits from `before` (exclusive) to `after`, oldest first, through stored first parents.
json CommitsBetween(EmulatorState& s, const RepoInfo& r, const PushEvent& p) {
  std::vector<json> out;
  std::string sha = p.after;
  const json who = {{"name", p.pusher}, {"email", p.pusher + "@users.noreply.github.com"},
                    {"username", p.pusher}};
  const std::string stop = p.before.empty() ? p.base : p.before;
  while (!stop.empty() && sha != stop && out.size() < kMaxCommitsListed) {
    const GitCommitObject* c = s.git.FindCommit(r.full_name(), sha);
    if (c == nullptr) break;
    out.push_back({{"id", sha}, {"tree_id", c->tree_sha}, {"distinct", true},
                   {"message", c->message}, {"timestamp", "2026-01-01T00:00:00Z"},
                   {"url", "https://github.com/" + r.full_name() + "/commit/" + sha},
                   {"author", who}, {"committer", who}, {"added", json::array()},
                   {"removed", json::array()}, {"modified", json::array()}});
    if (c->parents.empty()) break;
    sha = c->parents.front();
  }
  std::reverse(out.begin(), out.end());
  return out;
}

WebhookDelivery Sign(const RepoInfo& r, const Hook& h, const std::string& event, json payload) {
  WebhookDelivery d;
  d.hook_id = h.id;
  d.repo = r.full_name();
  d.url = h.url;
  d.event = event;
  d.guid = Guid();
  d.body = payload.dump();
  if (h.has_secret && !h.secret.empty()) d.signature = "sha256=" + HmacSha256Hex(h.secret, d.body);
  return d;
}

bool Wants(const Hook& h, const std::string& event) {
  return h.active && (std::find(h.events.begin(), h.events.end(), event) != h.events.end() ||
                      std::find(h.events.begin(), h.events.end(), "*") != h.events.end());
}

// Sends one delivery; returns the receiver's status, or 0 with `error`.
int Send(const WebhookDelivery& d, std::string* error) {
  try {
    Poco::URI uri(d.url);
    const std::string host = uri.getHost();
    if (uri.getScheme() != "http" || (host != "127.0.0.1" && host != "localhost" && host != "::1")) {
      *error = "not sent: the emulator delivers to http loopback URLs only";
      return 0;
    }
    Poco::Net::HTTPClientSession session(host, uri.getPort());
    session.setTimeout(Poco::Timespan(kDeliveryTimeoutS, 0));
    Poco::Net::HTTPRequest req("POST", uri.getPathEtc(), Poco::Net::HTTPMessage::HTTP_1_1);
    req.setContentType("application/json");
    req.setContentLength(static_cast<std::streamsize>(d.body.size()));
    req.set("User-Agent", "GitHub-Hookshot/emulator");
    req.set("X-GitHub-Event", d.event);
    req.set("X-GitHub-Delivery", d.guid);
    req.set("X-GitHub-Hook-ID", std::to_string(d.hook_id));
    req.set("X-GitHub-Hook-Installation-Target-Type", "repository");
    if (!d.signature.empty()) req.set("X-Hub-Signature-256", d.signature);
    session.sendRequest(req) << d.body;
    Poco::Net::HTTPResponse resp;
    std::istream& in = session.receiveResponse(resp);
    std::ostringstream drain;
    drain << in.rdbuf();
    return static_cast<int>(resp.getStatus());
  } catch (const std::exception& e) {
    *error = e.what();
    return 0;
  }
}

json RecordJson(const EmulatorState::SentDelivery& r) {
  return {{"id", r.id},
          {"guid", r.delivery.guid},
          {"hook_id", r.delivery.hook_id},
          {"repository", r.delivery.repo},
          {"url", r.delivery.url},
          {"event", r.delivery.event},
          {"redelivery", r.delivery.redelivery},
          {"status_code", r.status},
          {"status", r.status >= 200 && r.status < 300 ? "OK" : "failed"},
          {"error", r.error}};
}

EmuResponse AdminError(int status, const std::string& message) {
  return Json(status, {{"error", {{"code", "bad_request"}, {"message", message}}}});
}

// POST /_admin/github/push: one commit on a branch, as a human pushing from their clone.
EmuResponse AdminPush(EmulatorState& s, const EmuRequest& req) {
  json body = ParseObject(req.body);
  if (body.is_null()) return AdminError(400, "body must be a JSON object");
  const std::string full = body.value("repo", "");
  const size_t slash = full.find('/');
  const RepoInfo* r =
      slash == std::string::npos ? nullptr : s.repos.Find(full.substr(0, slash), full.substr(slash + 1));
  if (r == nullptr) return AdminError(404, "no repository " + full);
  const std::string branch = body.value("branch", r->default_branch);
  const bool created = !r->heads.count(branch);
  if (created && !r->heads.count(r->default_branch)) return AdminError(409, "empty repository");
  const std::string from = created ? r->default_branch : branch;
  FileTree files = s.repos.ReadTree(*r, from);
  const json changes = body.value("files", json::object());
  if (!changes.is_object()) return AdminError(400, "files must be an object");
  for (const auto& item : changes.items()) {
    if (!IsSafeRepoPath(item.key()) || !item.value().is_string()) {
      return AdminError(400, "bad file " + item.key());
    }
    files[item.key()] = item.value().get<std::string>();
  }
  const std::string parent = r->heads.at(from);
  const std::string before = created ? "" : parent;
  GitCommitObject c;
  c.tree_sha = s.git.PutTree(r->full_name(), files);
  c.parents = {parent};
  c.message = body.value("message", "Edit the site");
  const std::string after = s.git.PutCommit(r->full_name(), c);
  Status st = s.repos.ReplaceTree(*r, branch, files, after);
  if (!st.ok()) return AdminError(500, st.message());
  EmuResponse resp = Json(200, {{"after", after}, {"before", before}});
  resp.deliveries =
      PushDeliveries(s, req, *r, {branch, before, after, body.value("pusher", "octocat"), parent});
  return resp;
}

}  // namespace

std::vector<WebhookDelivery> PushDeliveries(EmulatorState& s, const EmuRequest& req,
                                            const RepoInfo& r, const PushEvent& p) {
  (void)req;
  std::vector<WebhookDelivery> out;
  if (std::none_of(r.hooks.begin(), r.hooks.end(), [](const Hook& h) { return Wants(h, "push"); })) {
    return out;
  }
  const std::string zeros(40, '0');
  json commits = CommitsBetween(s, r, p);
  json payload = {{"ref", "refs/heads/" + p.branch},
                  {"before", p.before.empty() ? zeros : p.before},
                  {"after", p.after},
                  {"created", p.before.empty()},
                  {"deleted", false},
                  {"forced", false},
                  {"base_ref", nullptr},
                  {"compare", "https://github.com/" + r.full_name() + "/compare/" +
                                  (p.before.empty() ? zeros : p.before).substr(0, 12) + "..." +
                                  p.after.substr(0, 12)},
                  {"commits", commits},
                  {"head_commit", commits.empty() ? json(nullptr) : commits.back()},
                  {"repository", RepoPayload(r)},
                  {"pusher", {{"name", p.pusher}, {"email", p.pusher + "@users.noreply.github.com"}}},
                  {"sender", {{"login", p.pusher}, {"id", 1}, {"type", "User"}}}};
  for (const Hook& h : r.hooks) {
    if (Wants(h, "push")) out.push_back(Sign(r, h, "push", payload));
  }
  return out;
}

WebhookDelivery PingDelivery(EmulatorState& s, const EmuRequest& req, const RepoInfo& r,
                             const Hook& h) {
  (void)s;
  const std::string url = req.base_url + "/repos/" + r.full_name() + "/hooks/" + std::to_string(h.id);
  json payload = {{"zen", "Keep it logically awesome."},
                  {"hook_id", h.id},
                  {"hook", {{"type", "Repository"}, {"id", h.id}, {"name", "web"},
                            {"active", h.active}, {"events", h.events},
                            {"config", {{"url", h.url}, {"content_type", h.content_type}}},
                            {"url", url}}},
                  {"repository", RepoPayload(r)},
                  {"sender", {{"login", kApiPusher}, {"id", 1}, {"type", "User"}}}};
  return Sign(r, h, "ping", payload);
}

std::optional<EmuResponse> HandleHookDeliveries(EmulatorState& s, const EmuRequest& req,
                                                const RepoInfo& r,
                                                const std::vector<std::string>& seg) {
  std::vector<std::string> c;
  const bool list = req.method == "GET" &&
                    MatchRoute(seg, {"repos", "*", "*", "hooks", "*", "deliveries"}, &c);
  const bool again =
      !list && req.method == "POST" &&
      MatchRoute(seg, {"repos", "*", "*", "hooks", "*", "deliveries", "*", "attempts"}, &c);
  if (!list && !again) return std::nullopt;
  const std::string hook_id = c[2];
  std::lock_guard<std::mutex> lock(s.deliveries_mu);
  json out = json::array();
  for (auto it = s.deliveries.rbegin(); it != s.deliveries.rend(); ++it) {
    if (it->delivery.repo != r.full_name() || std::to_string(it->delivery.hook_id) != hook_id) continue;
    if (list) {
      out.push_back(RecordJson(*it));
    } else if (std::to_string(it->id) == c[3]) {
      EmuResponse resp = Json(202, json::object());
      resp.deliveries.push_back(it->delivery);
      resp.deliveries.back().redelivery = true;
      return resp;
    }
  }
  if (again) return Json(404, {{"message", "Not Found"}, {"documentation_url", "https://docs.github.com/rest"}});
  return Json(200, out);
}

std::optional<EmuResponse> HandleWebhookAdmin(EmulatorState& s, const EmuRequest& req) {
  std::vector<std::string> seg = SplitPath(req.path);
  std::vector<std::string> c;
  if (req.method == "POST" && MatchRoute(seg, {"_admin", "github", "push"}, &c)) {
    return AdminPush(s, req);
  }
  if (req.method == "POST" && MatchRoute(seg, {"_admin", "deliveries", "*", "redeliver"}, &c)) {
    std::lock_guard<std::mutex> lock(s.deliveries_mu);
    for (const auto& d : s.deliveries) {
      if (std::to_string(d.id) != c[0]) continue;
      EmuResponse resp = Json(200, json::object());
      resp.deliveries.push_back(d.delivery);
      resp.deliveries.back().redelivery = true;
      return resp;
    }
    return AdminError(404, "no delivery " + c[0]);
  }
  if (req.method == "GET" && MatchRoute(seg, {"_admin", "deliveries"}, &c)) {
    std::lock_guard<std::mutex> lock(s.deliveries_mu);
    json out = json::array();
    for (const auto& d : s.deliveries) out.push_back(RecordJson(d));
    return Json(200, out);
  }
  return std::nullopt;
}

json SendDeliveries(EmulatorState& s, const std::vector<WebhookDelivery>& deliveries) {
  json out = json::array();
  for (const WebhookDelivery& d : deliveries) {
    EmulatorState::SentDelivery rec;
    rec.delivery = d;
    rec.status = Send(d, &rec.error);
    std::lock_guard<std::mutex> lock(s.deliveries_mu);
    rec.id = s.next_delivery_id++;
    out.push_back(RecordJson(rec));
    s.deliveries.push_back(std::move(rec));
    if (s.deliveries.size() > kMaxKept) s.deliveries.erase(s.deliveries.begin());
  }
  return out;
}

}  // namespace slipway::emulator
