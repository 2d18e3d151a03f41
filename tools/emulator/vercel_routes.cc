// tools/emulator/vercel_routes.cc: the Vercel REST subset (projects, env, deployments, domains,
// promote, rollback). Shapes and codes follow shared/reference/external-apis.md part B.
#include <algorithm>

#include "tools/emulator/emulator_state.h"

namespace slipway::emulator {

namespace {

EmuResponse Error(int status, const std::string& code, const std::string& message) {
  return Json(status, {{"error", {{"code", code}, {"message", message}}}});
}

EmuResponse NotFound(const std::string& what) { return Error(404, "not_found", what + " not found"); }

EmuResponse WithEffect(EmuResponse r, const std::string& effect, const std::string& subject) {
  r.effect = effect;
  r.subject = subject;
  return r;
}

std::vector<std::string> Targets(const nlohmann::json& t) {
  if (t.is_string()) return {t.get<std::string>()};
  if (t.is_array()) return t.get<std::vector<std::string>>();
  return {"production", "preview", "development"};
}

// Adds env vars to p; an existing key+target is replaced when upsert, else a 403 as on Vercel.
std::optional<EmuResponse> AddEnv(Project& p, const nlohmann::json& list, bool upsert) {
  for (const auto& e : list) {
    EnvVar v{e.value("key", ""), e.value("value", ""), Targets(e.value("target", nlohmann::json())),
             e.value("type", "plain")};
    if (v.key.empty()) return Error(400, "bad_request", "env var key is missing");
    auto same = [&](const EnvVar& x) { return x.key == v.key && x.target == v.target; };
    auto it = std::find_if(p.env.begin(), p.env.end(), same);
    if (it != p.env.end() && !upsert) {
      return Error(403, "ENV_ALREADY_EXISTS", "The environment variable " + v.key + " already exists");
    }
    if (it != p.env.end()) {
      *it = v;
    } else {
      p.env.push_back(v);
    }
  }
  return std::nullopt;
}

EmuResponse CreateProject(EmulatorState& s, const EmuRequest& req) {
  nlohmann::json body = ParseObject(req.body);
  if (body.is_null()) return Error(400, "bad_request", "Invalid JSON body");
  std::string name = body.value("name", "");
  if (name.empty()) return Error(400, "bad_request", "Invalid request: missing required property `name`.");
  if (s.vercel.FindProject(name) != nullptr) {
    return Error(409, "conflict", "A project with the name " + name + " already exists.");
  }
  Project p;
  p.name = name;
  p.framework = body.value("framework", nlohmann::json());
  nlohmann::json git = body.value("gitRepository", nlohmann::json());
  if (git.is_object()) {
    std::string repo = git.value("repo", "");
    size_t slash = repo.find('/');
    if (slash == std::string::npos) return Error(400, "bad_request", "gitRepository.repo must be owner/name");
    const RepoInfo* r = s.repos.Find(repo.substr(0, slash), repo.substr(slash + 1));
    p.link = {{"type", git.value("type", "github")}, {"org", repo.substr(0, slash)},
              {"repo", repo.substr(slash + 1)}, {"repoId", r ? r->id : 0},
              {"productionBranch", r ? r->default_branch : "main"}, {"deployHooks", nlohmann::json::array()}};
  }
  nlohmann::json ignore = body.value("commandForIgnoringBuildStep", nlohmann::json());
  if (!ignore.is_null() && !ignore.is_string()) {
    return Error(400, "bad_request", "commandForIgnoringBuildStep must be a string");
  }
  p.ignore_command = ignore.is_string() ? ignore.get<std::string>() : "";
  if (auto err = AddEnv(p, body.value("environmentVariables", nlohmann::json::array()), false)) {
    return *err;
  }
  Project& added = s.vercel.AddProject(std::move(p), s.clock.NowMs());
  return WithEffect(Json(200, ProjectJson(added, s.vercel)), "project_created", added.id);
}

// The files a deployment serves: the emulated GitHub repository named by gitSource, at its sha
// when that is a branch head, else at its ref. Empty when the repository is not known here.
std::map<std::string, std::string> SourceSnapshot(EmulatorState& s, const nlohmann::json& git) {
  const RepoInfo* r = s.repos.Find(git.value("org", ""), git.value("repo", ""));
  if (r == nullptr) return {};
  std::optional<std::string> branch = s.repos.ResolveRef(*r, git.value("sha", ""));
  if (!branch) branch = s.repos.ResolveRef(*r, git.value("ref", r->default_branch));
  return branch ? s.repos.ReadTree(*r, *branch) : std::map<std::string, std::string>{};
}

EmuResponse CreateDeployment(EmulatorState& s, const EmuRequest& req) {
  nlohmann::json body = ParseObject(req.body);
  if (body.is_null()) return Error(400, "bad_request", "Invalid JSON body");
  std::string project_ref = body.value("project", body.value("name", ""));
  if (project_ref.empty()) return Error(400, "bad_request", "missing required property `name`");
  Project* p = s.vercel.FindProject(project_ref);
  if (p == nullptr) return NotFound("Project");
  Deployment d;
  d.name = p->name;
  d.project_id = p->id;
  d.target = body.value("target", "");
  d.git_source = body.value("gitSource", nlohmann::json());
  d.meta = body.value("meta", nlohmann::json::object());
  nlohmann::json assign = body.value("autoAssignCustomDomains", nlohmann::json());
  if (!assign.is_null() && !assign.is_boolean()) {
    return Error(400, "bad_request", "autoAssignCustomDomains must be a boolean");
  }
  d.auto_assign = assign.is_boolean() ? assign.get<bool>() : true;
  d.will_fail = s.faults.ProjectFails(p->name);
  if (!d.git_source.is_object()) return Error(400, "missing_files", "Missing files or gitSource");
  d.files = SourceSnapshot(s, d.git_source);
  const std::string env = d.target == "production" ? "production" : "preview";
  const bool ignored = BuildIgnored(p->ignore_command, env, d.git_source.value("ref", ""));
  Deployment& added = s.vercel.AddDeployment(std::move(d), s.clock.NowMs());
  if (ignored) added.ready_state = "CANCELED";  // the Ignored Build Step said skip
  return WithEffect(Json(200, DeploymentJson(added)), "deployment_created", added.id);
}

// GET /v7/deployments: newest first, `limit` a page (default 20, at most 100), `until=<ms>`
// for deployments created before that time; `pagination.next` is the createdAt of the page's
// last deployment when older ones remain (pass it as `until`), else null.
EmuResponse ListDeployments(EmulatorState& s, const EmuRequest& req) {
  auto number = [&req](const std::string& name, int64_t fallback) {
    const std::string v = req.Query(name);
    if (v.empty() || v.size() > 15 || v.find_first_not_of("0123456789") != std::string::npos) {
      return fallback;
    }
    return static_cast<int64_t>(std::stoll(v));
  };
  const size_t limit = static_cast<size_t>(std::clamp<int64_t>(number("limit", 20), 1, 100));
  const int64_t until = number("until", 0);
  nlohmann::json list = nlohmann::json::array();
  nlohmann::json next = nullptr;
  for (const Deployment* d : s.vercel.Deployments(req.Query("projectId"))) {
    if (!req.Query("target").empty() && d->target != req.Query("target")) continue;
    if (!req.Query("state").empty() && d->ready_state != req.Query("state")) continue;
    if (until > 0 && d->created_ms >= until) continue;
    if (list.size() >= limit) {
      next = list.back()["createdAt"];
      break;
    }
    nlohmann::json j = DeploymentJson(*d);
    j["uid"] = j["id"];
    j["state"] = d->ready_state;
    j["isRollbackCandidate"] = d->was_production;
    j.erase("id");
    list.push_back(j);
  }
  nlohmann::json prev = list.empty() ? nlohmann::json(nullptr) : list.front()["createdAt"];
  return Json(200, {{"deployments", list},
                    {"pagination", {{"count", list.size()}, {"next", next}, {"prev", prev}}}});
}

EmuResponse AddDomain(EmulatorState& s, const EmuRequest& req, Project& p) {
  nlohmann::json body = ParseObject(req.body);
  std::string name = body.is_null() ? "" : body.value("name", "");
  if (name.empty() || name.find('.') == std::string::npos) {
    return Error(400, "invalid_domain", "Invalid domain name");
  }
  if (Domain* existing = s.vercel.FindDomain(name)) {
    std::string where = existing->project_id == p.id ? "this project" : "another project";
    return Error(409, "domain_already_in_use", "Domain " + name + " is already in use by " + where);
  }
  Domain& d = s.vercel.AddDomain(name, p.id, s.clock.NowMs());
  return WithEffect(Json(200, DomainJson(d)), "domain_added", name);
}

EmuResponse DomainRoutes(EmulatorState& s, Project& p,
                         const std::string& domain, bool verify) {
  Domain* d = s.vercel.FindDomain(domain);
  if (d == nullptr || d->project_id != p.id) return NotFound("Domain");
  if (!verify) return Json(200, DomainJson(*d));
  if (!d->verified) {
    return Error(400, "missing_txt_record", "Domain " + domain + " verification failed: TXT record not found");
  }
  return Json(200, DomainJson(*d));
}

EmuResponse MoveProduction(EmulatorState& s, Project& p, const std::string& deployment_id,
                           bool rollback) {
  Deployment* d = s.vercel.FindDeployment(deployment_id);
  if (d == nullptr || d->project_id != p.id) return NotFound("Deployment");
  if (d->ready_state != "READY") return Error(400, "deployment_not_ready", "Deployment is not ready");
  if (rollback && !d->was_production) {
    return Error(422, "not_rollback_candidate", "Deployment was never a production deployment");
  }
  s.vercel.RequestAlias(p, *d, rollback ? "rollback" : "promote", s.clock.NowMs());
  p.auto_assign = !rollback;  // as on Vercel: a rollback stops auto-assignment, promote restores it
  return WithEffect(Empty(201), rollback ? "rolled_back" : "promoted", d->id);
}

EmuResponse ProjectRoutes(EmulatorState& s, const EmuRequest& req,
                          const std::vector<std::string>& seg) {
  Project* p = s.vercel.FindProject(seg[2]);
  if (p == nullptr) return NotFound("Project");
  const std::string& m = req.method;
  std::vector<std::string> c;
  if (m == "GET" && seg.size() == 3) return Json(200, ProjectJson(*p, s.vercel));
  if (m == "POST" && MatchRoute(seg, {"*", "projects", "*", "env"}, &c)) {
    nlohmann::json body = nlohmann::json::parse(req.body, nullptr, false);
    if (body.is_object()) body = nlohmann::json::array({body});
    if (!body.is_array()) return Error(400, "bad_request", "Invalid JSON body");
    if (auto err = AddEnv(*p, body, req.Query("upsert") == "true")) return *err;
    return WithEffect(Json(201, {{"created", body.size()}}), "env_upserted", p->id);
  }
  if (m == "POST" && MatchRoute(seg, {"*", "projects", "*", "domains"}, &c)) {
    return AddDomain(s, req, *p);
  }
  if (m == "GET" && MatchRoute(seg, {"*", "projects", "*", "domains", "*"}, &c)) {
    return DomainRoutes(s, *p, c[2], false);
  }
  if (m == "DELETE" && MatchRoute(seg, {"*", "projects", "*", "domains", "*"}, &c)) {
    // As on Vercel: 200 with an empty object; 404 when the domain is not on this project.
    if (!s.vercel.RemoveDomain(c[2], p->id)) return NotFound("Domain");
    return WithEffect(Json(200, nlohmann::json::object()), "domain_removed", c[2]);
  }
  if (m == "POST" && MatchRoute(seg, {"*", "projects", "*", "domains", "*", "verify"}, &c)) {
    return DomainRoutes(s, *p, c[2], true);
  }
  if (m == "POST" && MatchRoute(seg, {"*", "projects", "*", "promote", "*"}, &c)) {
    return MoveProduction(s, *p, c[2], false);
  }
  if (m == "POST" && MatchRoute(seg, {"*", "projects", "*", "rollback", "*"}, &c)) {
    return MoveProduction(s, *p, c[2], true);
  }
  return Error(404, "not_found", "The requested path was not found");
}

std::optional<EmuResponse> CheckAuth(const EmulatorState& s, const EmuRequest& req) {
  std::string auth = req.Header("authorization");
  std::string token = auth.rfind("Bearer ", 0) == 0 ? auth.substr(7) : "";
  if (token.empty() || (!s.options.vercel_token.empty() && token != s.options.vercel_token)) {
    return Error(403, "forbidden", "Not authorized");
  }
  return std::nullopt;
}

}  // namespace

void DeployPush(EmulatorState& s, const RepoInfo& repo, const std::string& branch,
                const std::string& sha) {
  for (Project* p : s.vercel.LinkedTo(repo.owner, repo.name)) {
    const bool production = branch == p->link.value("productionBranch", "");
    if (BuildIgnored(p->ignore_command, production ? "production" : "preview", branch)) continue;
    Deployment d;
    d.name = p->name;
    d.project_id = p->id;
    d.target = production ? "production" : "";
    d.git_source = {{"type", "github"}, {"org", repo.owner}, {"repo", repo.name},
                    {"ref", branch}, {"sha", sha}};
    d.meta = {{"githubCommitRef", branch}, {"githubCommitSha", sha}};
    d.will_fail = s.faults.ProjectFails(p->name);
    d.files = SourceSnapshot(s, d.git_source);
    s.vercel.AddDeployment(std::move(d), s.clock.NowMs());
  }
}

EmuResponse HandleVercel(EmulatorState& s, const EmuRequest& req) {
  if (auto denied = CheckAuth(s, req)) return *denied;
  s.vercel.Advance(s.clock.NowMs());
  std::vector<std::string> seg = SplitPath(req.path);
  std::vector<std::string> c;
  const std::string& m = req.method;
  if (m == "POST" && MatchRoute(seg, {"*", "projects"}, &c)) return CreateProject(s, req);
  if (seg.size() >= 3 && seg[1] == "projects") return ProjectRoutes(s, req, seg);
  if (m == "POST" && MatchRoute(seg, {"*", "deployments"}, &c)) return CreateDeployment(s, req);
  if (m == "GET" && MatchRoute(seg, {"*", "deployments"}, &c)) return ListDeployments(s, req);
  if (m == "GET" && MatchRoute(seg, {"*", "deployments", "*"}, &c)) {
    Deployment* d = s.vercel.FindDeployment(c[1]);
    if (d == nullptr) return NotFound("Deployment");
    return Json(200, DeploymentJson(*d));
  }
  return Error(404, "not_found", "The requested path was not found");
}

}  // namespace slipway::emulator
