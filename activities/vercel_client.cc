#include "activities/vercel_client.h"

#include <nlohmann/json.hpp>

#include "activities/http_errors.h"
#include "activities/rest_util.h"
#include "engine/base/git_names.h"
#include "engine/base/redact.h"
#include "engine/base/utf8.h"

namespace slipway::activities {

namespace {

using nlohmann::json;

constexpr const char* kKeyMeta = "slipwayIdempotencyKey";

std::string Str(const json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

VercelProject ProjectFromJson(const json& j) {
  VercelProject p;
  p.id = j.at("id").get<std::string>();
  p.name = j.at("name").get<std::string>();
  if (j.contains("targets") && j["targets"].is_object() && j["targets"].contains("production")) {
    p.production_deployment_id = Str(j["targets"]["production"], "id");
  }
  p.ignored_build_command = Str(j, "commandForIgnoringBuildStep");
  if (j.contains("lastAliasRequest") && j["lastAliasRequest"].is_object()) {
    const json& a = j["lastAliasRequest"];
    p.last_alias_request.from_deployment_id = Str(a, "fromDeploymentId");
    p.last_alias_request.to_deployment_id = Str(a, "toDeploymentId");
    p.last_alias_request.job_status = Str(a, "jobStatus");
    p.last_alias_request.type = Str(a, "type");
    if (a.contains("requestedAt") && a["requestedAt"].is_number()) {
      p.last_alias_request.requested_at = a["requestedAt"].get<int64_t>();
    }
  }
  return p;
}

VercelDeployment DeploymentFromJson(const json& j) {
  VercelDeployment d;
  d.id = j.contains("id") ? j["id"].get<std::string>() : j.at("uid").get<std::string>();
  d.url = Str(j, "url");
  d.ready_state = Str(j, "readyState");
  if (d.ready_state.empty()) d.ready_state = Str(j, "state");
  d.target = Str(j, "target");
  d.ready_substate = Str(j, "readySubstate");
  d.error_code = Str(j, "errorCode");
  d.error_message = TruncateUtf8(RedactText(Str(j, "errorMessage")), 500);
  return d;
}

DomainStatus DomainFromJson(const json& j) {
  DomainStatus d;
  d.name = j.at("name").get<std::string>();
  d.verified = j.value("verified", false);
  if (j.contains("verification") && j["verification"].is_array()) {
    for (const json& v : j["verification"]) {
      d.verification.push_back({Str(v, "type"), Str(v, "domain"), Str(v, "value"), Str(v, "reason")});
    }
  }
  return d;
}

json EnvJson(const std::vector<EnvVarSpec>& env) {
  json list = json::array();
  for (const EnvVarSpec& e : env) {
    list.push_back({{"key", e.key}, {"value", e.value}, {"target", e.targets}, {"type", e.type}});
  }
  return list;
}

template <typename T, typename Fn>
Result<T> Parse(const Result<HttpResponse>& resp, const std::string& what, Fn fn) {
  if (!resp.ok()) return resp.status();
  SLIPWAY_RETURN_IF_ERROR(StatusFromResponse(*resp, what));
  Result<json> j = ParseJsonBody(*resp, what);
  if (!j.ok()) return j.status();
  return Decode<T>(*j, what, fn);
}

}  // namespace

std::string DeploymentOrigin(const std::string& url) {
  auto has_prefix = [&url](const std::string& p) {
    return url.size() >= p.size() && EqualsIgnoreCase(url.substr(0, p.size()), p);
  };
  if (has_prefix("https://") || has_prefix("http://")) return url;
  return "https://" + url;
}

namespace {
Status CheckDomainArgs(const std::string& project, const std::string& domain) {
  SLIPWAY_RETURN_IF_ERROR(ValidateRemoteId(project, "project"));
  if (!IsHostName(domain)) return InvalidArgument("domain", "must be a host name");
  return Status::Ok();
}
}  // namespace

VercelClient::VercelClient(HttpClient& http, VercelConfig config)
    : http_(http), config_(std::move(config)) {}

HttpRequest VercelClient::Request(const std::string& method, const std::string& path,
                                  const std::string& query, const std::string& body) const {
  HttpRequest r;
  r.method = method;
  std::string q = query;
  if (!config_.team_id.empty()) q += (q.empty() ? "" : "&") + ("teamId=" + UrlEncode(config_.team_id));
  r.url = config_.api_url + path + (q.empty() ? "" : "?" + q);
  r.timeout_ms = config_.timeout_ms;
  r.headers.Add("Authorization", "Bearer " + config_.token);
  r.headers.Add("Accept", "application/json");
  if (!body.empty()) {
    r.headers.Add("Content-Type", "application/json");
    r.body = body;
  }
  return r;
}

Result<HttpResponse> VercelClient::Send(const HttpRequest& request) {
  SLIPWAY_RETURN_IF_ERROR(CheckUrlPath(request.url));
  return http_.Send(request);
}

Result<std::optional<VercelProject>> VercelClient::FindProject(const std::string& id_or_name) {
  SLIPWAY_RETURN_IF_ERROR(ValidateRemoteId(id_or_name, "project"));
  std::string what = "vercel get project " + id_or_name;
  Result<HttpResponse> resp = Send(Request("GET", "/v9/projects/" + UrlEncode(id_or_name)));
  if (resp.ok() && resp->status == 404) return std::optional<VercelProject>();
  return Parse<std::optional<VercelProject>>(resp, what, [](const json& j) {
    return std::optional<VercelProject>(ProjectFromJson(j));
  });
}

Result<VercelProject> VercelClient::GetProject(const std::string& id_or_name) {
  Result<std::optional<VercelProject>> found = FindProject(id_or_name);
  if (!found.ok()) return found.status();
  if (!found->has_value()) return NotFound("vercel project " + id_or_name);
  return **found;
}

Status VercelClient::UpsertEnv(const std::string& project_id, const std::vector<EnvVarSpec>& env) {
  if (env.empty()) return Status::Ok();
  Result<HttpResponse> resp = Send(Request("POST", "/v10/projects/" + UrlEncode(project_id) + "/env",
                                                 "upsert=true", EnvJson(env).dump()));
  if (!resp.ok()) return resp.status();
  return StatusFromResponse(*resp, "vercel upsert env " + project_id);
}

Result<VercelProject> VercelClient::CreateProject(const ProjectSpec& spec) {
  if (spec.name.empty()) return InvalidArgument("name", "project name is empty");
  Result<std::optional<VercelProject>> existing = FindProject(spec.name);
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) {
    SLIPWAY_RETURN_IF_ERROR(UpsertEnv((*existing)->id, spec.env));
    return **existing;
  }
  json body = {{"name", spec.name},
               {"framework", spec.framework.empty() ? json() : json(spec.framework)},
               {"environmentVariables", EnvJson(spec.env)}};
  if (!spec.git_repo.empty()) body["gitRepository"] = {{"type", "github"}, {"repo", spec.git_repo}};
  if (!spec.ignored_build_command.empty()) {
    body["commandForIgnoringBuildStep"] = spec.ignored_build_command;
  }
  std::string what = "vercel create project " + spec.name;
  Result<HttpResponse> resp = Send(Request("POST", "/v11/projects", "", body.dump()));
  if (resp.ok() && resp->status == 409) {  // another attempt created it meanwhile
    Result<std::optional<VercelProject>> again = FindProject(spec.name);
    if (again.ok() && again->has_value()) {
      SLIPWAY_RETURN_IF_ERROR(UpsertEnv((*again)->id, spec.env));
      return **again;
    }
  }
  return Parse<VercelProject>(resp, what, [](const json& j) {
    VercelProject p = ProjectFromJson(j);
    p.created = true;
    return p;
  });
}

namespace {
// One page of GET /v7/deployments: the deployment carrying the key, if any, and the
// `pagination.next` timestamp of the page after it (0 on the last page).
struct KeyPage {
  std::optional<VercelDeployment> found;
  int64_t next = 0;
};

KeyPage ScanPage(const json& j, const std::string& key) {
  KeyPage page;
  for (const json& d : j.at("deployments")) {
    if (d.contains("meta") && d["meta"].is_object() && Str(d["meta"], kKeyMeta) == key) {
      page.found = DeploymentFromJson(d);
      return page;
    }
  }
  if (j.contains("pagination") && j["pagination"].is_object()) {
    const json& next = j["pagination"].value("next", json());
    if (next.is_number_integer()) page.next = next.get<int64_t>();
  }
  return page;
}
}  // namespace

Result<std::optional<VercelDeployment>> VercelClient::FindByKey(const std::string& project_id,
                                                                 const std::string& key) {
  SLIPWAY_RETURN_IF_ERROR(ValidateRemoteId(project_id, "project"));
  const std::string what = "vercel list deployments " + project_id;
  int64_t until = 0;
  for (int n = 0; n < kMaxKeyPages; ++n) {
    std::string query = "projectId=" + UrlEncode(project_id) + "&limit=" +
                        std::to_string(kKeyPageSize);
    if (until > 0) query += "&until=" + std::to_string(until);
    Result<KeyPage> page = Parse<KeyPage>(Send(Request("GET", "/v7/deployments", query)), what,
                                          [&key](const json& j) { return ScanPage(j, key); });
    if (!page.ok()) return page.status();
    if (page->found) return page->found;
    // The list is newest first and `next` older than `until`; anything else would loop.
    if (page->next <= 0 || (until > 0 && page->next >= until)) break;
    until = page->next;
  }
  return std::optional<VercelDeployment>();
}

Result<VercelDeployment> VercelClient::CreateDeployment(const DeploymentSpec& spec) {
  Result<VercelProject> project = GetProject(spec.project);
  if (!project.ok()) return project.status();
  if (!spec.idempotency_key.empty()) {
    Result<std::optional<VercelDeployment>> found = FindByKey(project->id, spec.idempotency_key);
    if (!found.ok()) return found.status();
    if (found->has_value()) return **found;
  }
  json git = {{"type", "github"}, {"org", spec.git_org}, {"repo", spec.git_repo}, {"ref", spec.git_ref}};
  if (!spec.git_sha.empty()) git["sha"] = spec.git_sha;
  json meta = spec.meta;
  if (!spec.idempotency_key.empty()) meta[kKeyMeta] = spec.idempotency_key;
  json body = {{"name", project->name}, {"project", project->id}, {"gitSource", git}, {"meta", meta}};
  if (!spec.target.empty()) body["target"] = spec.target;
  if (spec.staged) body["autoAssignCustomDomains"] = false;
  Result<HttpResponse> resp = Send(
      Request("POST", "/v13/deployments", "skipAutoDetectionConfirmation=1", body.dump()));
  return Parse<VercelDeployment>(resp, "vercel create deployment " + project->name,
                                 [](const json& j) {
                                   VercelDeployment d = DeploymentFromJson(j);
                                   d.created = true;
                                   return d;
                                 });
}

Result<VercelDeployment> VercelClient::GetDeployment(const std::string& id) {
  SLIPWAY_RETURN_IF_ERROR(ValidateRemoteId(id, "deployment_id"));
  Result<HttpResponse> resp = Send(Request("GET", "/v13/deployments/" + UrlEncode(id)));
  if (resp.ok() && resp->status == 404) return NotFound("vercel deployment " + id);
  return Parse<VercelDeployment>(resp, "vercel get deployment " + id, DeploymentFromJson);
}

Result<DomainStatus> VercelClient::GetDomain(const std::string& project, const std::string& domain) {
  SLIPWAY_RETURN_IF_ERROR(CheckDomainArgs(project, domain));
  std::string path = "/v9/projects/" + UrlEncode(project) + "/domains/" + UrlEncode(domain);
  Result<HttpResponse> resp = Send(Request("GET", path));
  if (resp.ok() && resp->status == 404) return NotFound("vercel domain " + domain);
  return Parse<DomainStatus>(resp, "vercel get domain " + domain, DomainFromJson);
}

Result<DomainStatus> VercelClient::AddDomain(const std::string& project, const std::string& domain) {
  Result<DomainStatus> existing = GetDomain(project, domain);
  if (existing.ok()) return existing;
  if (existing.status().code() != Code::kNotFound) return existing.status();
  json body = {{"name", domain}};
  Result<HttpResponse> resp = Send(
      Request("POST", "/v10/projects/" + UrlEncode(project) + "/domains", "", body.dump()));
  if (resp.ok() && resp->status == 409) {  // maybe ours, added by an earlier attempt
    Result<DomainStatus> again = GetDomain(project, domain);
    if (again.ok()) return again;
  }
  return Parse<DomainStatus>(resp, "vercel add domain " + domain, [](const json& j) {
    DomainStatus d = DomainFromJson(j);
    d.created = true;
    return d;
  });
}

Result<bool> VercelClient::RemoveDomain(const std::string& project, const std::string& domain) {
  SLIPWAY_RETURN_IF_ERROR(CheckDomainArgs(project, domain));
  std::string path = "/v9/projects/" + UrlEncode(project) + "/domains/" + UrlEncode(domain);
  Result<HttpResponse> resp = Send(Request("DELETE", path));
  if (!resp.ok()) return resp.status();
  if (resp->status == 404) return false;  // not on the project (any more)
  SLIPWAY_RETURN_IF_ERROR(StatusFromResponse(*resp, "vercel remove domain " + domain));
  return true;
}

Result<DomainStatus> VercelClient::VerifyDomain(const std::string& project,
                                                const std::string& domain) {
  SLIPWAY_RETURN_IF_ERROR(CheckDomainArgs(project, domain));
  std::string path = "/v9/projects/" + UrlEncode(project) + "/domains/" + UrlEncode(domain) + "/verify";
  Result<HttpResponse> resp = Send(Request("POST", path));
  if (resp.ok() && resp->status == 400) return GetDomain(project, domain);  // not verified yet
  return Parse<DomainStatus>(resp, "vercel verify domain " + domain, DomainFromJson);
}

Status VercelClient::MoveProduction(const std::string& project_id, const std::string& deployment_id,
                                    bool rollback) {
  SLIPWAY_RETURN_IF_ERROR(ValidateRemoteId(deployment_id, "deployment_id"));
  Result<VercelProject> project = GetProject(project_id);
  if (!project.ok()) return project.status();
  // A repeated rollback is a no-op. A promote always goes through: it also turns production
  // auto-assignment back on after a rollback, even for the deployment already serving.
  if (rollback && project->production_deployment_id == deployment_id) return Status::Ok();
  std::string path = rollback ? "/v1/projects/" + UrlEncode(project->id) + "/rollback/"
                              : "/v10/projects/" + UrlEncode(project->id) + "/promote/";
  Result<HttpResponse> resp = Send(Request("POST", path + UrlEncode(deployment_id)));
  if (!resp.ok()) return resp.status();
  return StatusFromResponse(*resp, std::string("vercel ") + (rollback ? "rollback" : "promote") +
                                       " " + deployment_id);
}

Status VercelClient::Promote(const std::string& project_id, const std::string& deployment_id) {
  return MoveProduction(project_id, deployment_id, false);
}

Status VercelClient::Rollback(const std::string& project_id, const std::string& deployment_id) {
  return MoveProduction(project_id, deployment_id, true);
}

}  // namespace slipway::activities
