// tools/emulator/github_routes.cc: the GitHub REST subset (repos from templates, contents,
// refs, hooks, tarballs). Shapes and codes follow shared/reference/external-apis.md part A.
#include "tools/emulator/emulator_state.h"
#include "tools/emulator/pagination.h"
#include "tools/emulator/tarball.h"
#include "tools/emulator/webhooks.h"

namespace slipway::emulator {

namespace {

const char* kDocs = "https://docs.github.com/rest";

EmuResponse Error(int status, const std::string& message) {
  return Json(status, {{"message", message}, {"documentation_url", kDocs}});
}

EmuResponse NotFound() { return Error(404, "Not Found"); }

EmuResponse Validation(const std::string& message, const std::string& resource,
                       const std::string& field, const std::string& detail) {
  return Json(422, {{"message", message},
                    {"errors", {{{"resource", resource}, {"field", field}, {"code", "custom"},
                                 {"message", detail}}}},
                    {"documentation_url", kDocs}});
}

std::string ApiBase(const EmuRequest& req) { return req.base_url; }

nlohmann::json RepoJson(const EmuRequest& req, const RepoInfo& r) {
  std::string api = ApiBase(req) + "/repos/" + r.full_name();
  nlohmann::json j = {{"id", r.id},
                      {"node_id", "R_emu" + std::to_string(r.id)},
                      {"name", r.name},
                      {"full_name", r.full_name()},
                      {"owner", {{"login", r.owner}, {"id", 9001}, {"type", "Organization"}}},
                      {"private", r.is_private},
                      {"description", r.description},
                      {"html_url", "https://github.com/" + r.full_name()},
                      {"url", api},
                      {"clone_url", "https://github.com/" + r.full_name() + ".git"},
                      {"ssh_url", "git@github.com:" + r.full_name() + ".git"},
                      {"default_branch", r.default_branch},
                      {"is_template", r.is_template}};
  if (!r.template_full_name.empty()) {
    j["template_repository"] = {{"full_name", r.template_full_name}};
  } else {
    j["template_repository"] = nullptr;
  }
  return j;
}

nlohmann::json ContentJson(const EmuRequest& req, const RepoInfo& r, const std::string& path,
                           const std::string& content, bool with_content) {
  std::string name = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
  nlohmann::json j = {{"type", "file"},
                      {"name", name},
                      {"path", path},
                      {"sha", GitBlobSha(content)},
                      {"size", content.size()},
                      {"url", ApiBase(req) + "/repos/" + r.full_name() + "/contents/" + path},
                      {"html_url", "https://github.com/" + r.full_name() + "/blob/main/" + path}};
  if (with_content) {
    j["encoding"] = "base64";
    j["content"] = Base64Encode(content);
  }
  return j;
}

EmuResponse Generate(EmulatorState& s, const EmuRequest& req, const std::string& t_owner,
                     const std::string& t_name) {
  const RepoInfo* tmpl = s.repos.Find(t_owner, t_name);
  if (tmpl == nullptr) return NotFound();
  if (!tmpl->is_template) {
    return Validation("Validation Failed", "Repository", "template", "not a template repository");
  }
  nlohmann::json body = ParseObject(req.body);
  if (body.is_null()) return Error(400, "Problems parsing JSON");
  std::string name = body.value("name", "");
  std::string owner = body.value("owner", s.options.default_owner);
  if (name.empty()) return Validation("Validation Failed", "Repository", "name", "name is missing");
  if (s.repos.Find(owner, name) != nullptr) {
    return Validation("Repository creation failed.", "Repository", "name",
                      "name already exists on this account");
  }
  Result<RepoInfo> r = s.repos.Generate(*tmpl, owner, name, body.value("description", ""),
                                        body.value("private", false));
  if (!r.ok()) return Error(500, r.status().message());
  RecordHeadCommit(s, *r, r->default_branch, "", "Initial commit");
  EmuResponse resp = Json(201, RepoJson(req, *r));
  resp.headers.emplace_back("Location", ApiBase(req) + "/repos/" + r->full_name());
  resp.effect = "repo_created";
  resp.subject = r->full_name();
  return resp;
}

EmuResponse GetContents(EmulatorState& s, const EmuRequest& req, const RepoInfo& r,
                        const std::string& path) {
  std::string ref = req.Query("ref").empty() ? r.default_branch : req.Query("ref");
  std::optional<std::string> branch = s.repos.ResolveRef(r, ref);
  std::map<std::string, std::string> files;
  if (branch) {
    std::optional<std::string> content = s.repos.ReadFile(r, *branch, path);
    if (content) return Json(200, ContentJson(req, r, path, *content, true));
    files = s.repos.ReadTree(r, *branch);
  } else if (const FileTree* old = CommitFiles(s, r, ref)) {
    files = *old;  // an older commit the git objects still know
    auto f = files.find(path);
    if (f != files.end()) return Json(200, ContentJson(req, r, path, f->second, true));
  } else {
    return Error(404, "No commit found for the ref " + ref);
  }
  nlohmann::json listing = nlohmann::json::array();
  std::string prefix = path.empty() ? "" : path + "/";
  for (const auto& [p, c] : files) {
    if (p.rfind(prefix, 0) != 0) continue;
    if (p.find('/', prefix.size()) != std::string::npos) continue;  // deeper levels: skipped
    listing.push_back(ContentJson(req, r, p, c, false));
  }
  if (listing.empty()) return NotFound();
  return Json(200, listing);
}

EmuResponse PutContents(EmulatorState& s, const EmuRequest& req, const RepoInfo& r,
                        const std::string& path) {
  nlohmann::json body = ParseObject(req.body);
  if (body.is_null()) return Error(400, "Problems parsing JSON");
  if (!IsSafeRepoPath(path)) return Validation("Validation Failed", "Content", "path", "bad path");
  if (!body.contains("message") || !body.contains("content")) {
    return Error(422, "Invalid request.\n\n\"message\" and \"content\" are required.");
  }
  if (body.contains("sha") && body["sha"].is_null()) {
    return Error(422, "Invalid request.\n\nFor 'properties/sha', nil is not a string.");
  }
  std::string content;
  if (!body["content"].is_string() || !Base64Decode(body["content"], &content)) {
    return Error(422, "Invalid request.\n\ncontent is not valid Base64");
  }
  std::string branch = body.value("branch", r.default_branch);
  if (!r.heads.count(branch)) return Error(404, "Branch " + branch + " not found");
  std::optional<std::string> current = s.repos.ReadFile(r, branch, path);
  std::string sent_sha = body.value("sha", "");
  if (current && sent_sha.empty()) return Error(422, "Invalid request.\n\n\"sha\" wasn't supplied.");
  if (current && sent_sha != GitBlobSha(*current)) {
    return Error(409, path + " does not match " + sent_sha);
  }
  std::string parent = r.heads.at(branch);
  Result<std::string> commit = s.repos.WriteFile(r, branch, path, content, body["message"]);
  if (!commit.ok()) return Error(500, commit.status().message());
  RecordHeadCommit(s, r, branch, parent, body["message"]);
  const std::string pushed = *commit;
  DeployPush(s, r, branch, *commit);  // a linked Vercel project builds the push
  nlohmann::json out = {{"content", ContentJson(req, r, path, content, false)},
                        {"commit", {{"sha", *commit},
                                    {"message", body["message"]},
                                    {"html_url", "https://github.com/" + r.full_name() +
                                                     "/commit/" + *commit}}}};
  EmuResponse resp = Json(current ? 200 : 201, out);
  resp.effect = "commit";
  resp.subject = r.full_name();
  resp.deliveries = PushDeliveries(s, req, r, {branch, parent, pushed, kApiPusher, ""});
  return resp;
}

EmuResponse GetRef(EmulatorState& s, const EmuRequest& req, const RepoInfo& r,
                   const std::string& ref) {
  if (r.heads.empty()) return Error(409, "Git Repository is empty.");
  if (ref.rfind("heads/", 0) != 0) return NotFound();
  auto it = r.heads.find(ref.substr(6));
  if (it == r.heads.end()) return NotFound();
  (void)s;
  return Json(200, {{"ref", "refs/" + ref},
                    {"url", ApiBase(req) + "/repos/" + r.full_name() + "/git/refs/" + ref},
                    {"object", {{"type", "commit"}, {"sha", it->second}}}});
}

nlohmann::json HookJson(const EmuRequest& req, const RepoInfo& r, const Hook& h) {
  std::string url = ApiBase(req) + "/repos/" + r.full_name() + "/hooks/" + std::to_string(h.id);
  nlohmann::json config = {{"url", h.url}, {"content_type", h.content_type}, {"insecure_ssl", "0"}};
  if (h.has_secret) config["secret"] = "********";
  return {{"type", "Repository"}, {"id", h.id},         {"name", "web"},
          {"active", h.active},   {"events", h.events}, {"config", config},
          {"url", url},           {"ping_url", url + "/pings"},
          {"last_response", {{"code", nullptr}, {"status", "unused"}, {"message", nullptr}}}};
}

EmuResponse Hooks(EmulatorState& s, const EmuRequest& req, const RepoInfo& r) {
  if (req.method == "GET") {
    nlohmann::json list = nlohmann::json::array();
    for (const Hook& h : r.hooks) list.push_back(HookJson(req, r, h));
    return PagedList(req, list);
  }
  nlohmann::json body = ParseObject(req.body);
  if (body.is_null()) return Error(400, "Problems parsing JSON");
  Hook h;
  nlohmann::json config = body.value("config", nlohmann::json::object());
  h.url = config.value("url", "");
  if (h.url.empty()) return Validation("Validation Failed", "Hook", "config.url", "url is missing");
  for (const Hook& existing : r.hooks) {
    if (existing.url == h.url) {
      return Validation("Validation Failed", "Hook", "", "Hook already exists on this repository");
    }
  }
  h.content_type = config.value("content_type", "form");
  h.has_secret = config.contains("secret");
  if (h.has_secret && config["secret"].is_string()) h.secret = config["secret"];
  h.events = body.value("events", std::vector<std::string>{"push"});
  h.active = body.value("active", true);
  Result<Hook> added = s.repos.AddHook(r, h);
  if (!added.ok()) return Error(500, added.status().message());
  EmuResponse resp = Json(201, HookJson(req, r, *added));
  resp.headers.emplace_back("Location", HookJson(req, r, *added)["url"].get<std::string>());
  resp.effect = "webhook_created";
  resp.subject = r.full_name();
  resp.deliveries.push_back(PingDelivery(s, req, r, *added));  // GitHub pings a new hook
  return resp;
}

EmuResponse Tarball(EmulatorState& s, const EmuRequest& req, const RepoInfo& r,
                    const std::string& ref_in) {
  std::string ref = ref_in.empty() ? r.default_branch : ref_in;
  std::optional<std::string> branch = s.repos.ResolveRef(r, ref);
  if (!branch) return NotFound();
  EmuResponse resp = Empty(302);
  resp.headers.emplace_back("Location", req.base_url + "/_codeload/" + r.full_name() +
                                            "/legacy.tar.gz/" + r.heads.at(*branch));
  return resp;
}

// Every GitHub route needs a User-Agent and a token (as the real API does for these calls).
std::optional<EmuResponse> CheckAuth(const EmulatorState& s, const EmuRequest& req) {
  if (req.Header("user-agent").empty()) {
    return Error(403, "Request forbidden by administrative rules. "
                      "Please make sure your request has a User-Agent header");
  }
  std::string auth = req.Header("authorization");
  std::string token;
  if (auth.rfind("Bearer ", 0) == 0) token = auth.substr(7);
  if (auth.rfind("token ", 0) == 0) token = auth.substr(6);
  if (token.empty()) return Error(401, "Requires authentication");
  if (!s.options.github_token.empty() && token != s.options.github_token) {
    return Error(401, "Bad credentials");
  }
  return std::nullopt;
}

EmuResponse RepoRoutes(EmulatorState& s, const EmuRequest& req,
                       const std::vector<std::string>& seg) {
  std::vector<std::string> c;
  const std::string& m = req.method;
  if (m == "POST" && MatchRoute(seg, {"repos", "*", "*", "generate"}, &c)) {
    return Generate(s, req, c[0], c[1]);
  }
  if (seg.size() < 3) return NotFound();
  const RepoInfo* r = s.repos.Find(seg[1], seg[2]);
  if (r == nullptr) return NotFound();
  if (m == "GET" && seg.size() == 3) return Json(200, RepoJson(req, *r));
  if (m == "GET" && MatchRoute(seg, {"repos", "*", "*", "contents", "**"}, &c)) {
    return GetContents(s, req, *r, c[2]);
  }
  if (m == "PUT" && MatchRoute(seg, {"repos", "*", "*", "contents", "**"}, &c)) {
    return PutContents(s, req, *r, c[2]);
  }
  if (m == "GET" && MatchRoute(seg, {"repos", "*", "*", "git", "ref", "**"}, &c)) {
    return GetRef(s, req, *r, c[2]);
  }
  if ((m == "GET" || m == "POST") && MatchRoute(seg, {"repos", "*", "*", "hooks"}, &c)) {
    return Hooks(s, req, *r);
  }
  if (std::optional<EmuResponse> d = HandleHookDeliveries(s, req, *r, seg)) return *d;
  if (m == "GET" && MatchRoute(seg, {"repos", "*", "*", "tarball", "**"}, &c)) {
    return Tarball(s, req, *r, c[2]);
  }
  if (std::optional<EmuResponse> git = HandleGitData(s, req, *r, seg)) return *git;
  return NotFound();
}

}  // namespace

EmuResponse HandleGitHub(EmulatorState& s, const EmuRequest& req) {
  EmuResponse resp;
  if (auto denied = CheckAuth(s, req)) {
    resp = *denied;
  } else {
    std::vector<std::string> seg = SplitPath(req.path);
    resp = !seg.empty() && seg[0] == "repos" ? RepoRoutes(s, req, seg) : NotFound();
  }
  // The emulator never runs out of quota: the primary-limit headers only show their shape.
  int64_t reset_s = s.clock.NowMs() / 1000 + 3600;
  resp.headers.emplace_back("x-ratelimit-limit", "5000");
  resp.headers.emplace_back("x-ratelimit-remaining", "4999");
  resp.headers.emplace_back("x-ratelimit-used", "1");
  resp.headers.emplace_back("x-ratelimit-reset", std::to_string(reset_s));
  resp.headers.emplace_back("x-ratelimit-resource", "core");
  resp.headers.emplace_back("X-GitHub-Request-Id", "EMU:" + std::to_string(++s.request_counter));
  return resp;
}

EmuResponse HandleCodeload(EmulatorState& s, const EmuRequest& req) {
  std::vector<std::string> c;
  if (!MatchRoute(SplitPath(req.path), {"_codeload", "*", "*", "legacy.tar.gz", "*"}, &c)) {
    return NotFound();
  }
  const RepoInfo* r = s.repos.Find(c[0], c[1]);
  if (r == nullptr) return NotFound();
  std::optional<std::string> branch = s.repos.ResolveRef(*r, c[2]);
  if (!branch) return NotFound();
  std::string prefix = r->owner + "-" + r->name + "-" + c[2].substr(0, 7);
  Result<std::string> tgz = BuildTarGz(prefix, s.repos.ReadTree(*r, *branch));
  if (!tgz.ok()) return Error(500, tgz.status().message());
  EmuResponse resp;
  resp.status = 200;
  resp.body = std::move(*tgz);
  resp.content_type = "application/x-gzip";
  resp.headers.emplace_back("Content-Disposition", "attachment; filename=" + prefix + ".tar.gz");
  return resp;
}

}  // namespace slipway::emulator
