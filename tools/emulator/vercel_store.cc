#include "tools/emulator/vercel_store.h"

#include <algorithm>

#include "tools/emulator/emu_http.h"

namespace slipway::emulator {

namespace {

std::string ApexOf(const std::string& domain) {
  size_t last = domain.rfind('.');
  if (last == std::string::npos || last == 0) return domain;
  size_t prev = domain.rfind('.', last - 1);
  return prev == std::string::npos ? domain : domain.substr(prev + 1);
}

}  // namespace

Project* VercelStore::FindProject(const std::string& id_or_name) {
  auto it = project_by_ref_.find(id_or_name);
  return it == project_by_ref_.end() ? nullptr : it->second;
}

std::vector<Project*> VercelStore::LinkedTo(const std::string& owner, const std::string& name) {
  auto it = linked_.find(owner + "/" + name);
  return it == linked_.end() ? std::vector<Project*>{} : it->second;
}

Project& VercelStore::AddProject(Project p, int64_t now_ms) {
  p.id = "prj_" + RandomHex(16);
  p.created_ms = now_ms;
  projects_.push_back(std::move(p));
  Project& added = projects_.back();
  project_by_ref_.emplace(added.id, &added);  // the first project to take a name keeps it
  project_by_ref_.emplace(added.name, &added);
  if (added.link.is_object()) {
    linked_[added.link.value("org", "") + "/" + added.link.value("repo", "")].push_back(&added);
  }
  return added;
}

Deployment* VercelStore::FindDeployment(const std::string& id_or_url) {
  auto it = deployment_by_ref_.find(id_or_url);
  return it == deployment_by_ref_.end() ? nullptr : it->second;
}

Deployment& VercelStore::AddDeployment(Deployment d, int64_t now_ms) {
  std::string suffix = RandomHex(10);
  d.id = "dpl_" + suffix;
  d.url = d.name + "-" + suffix + ".vercel.app";
  // Strictly increasing, so that listing pages by `until=<createdAt>` never skips one made in
  // the same millisecond as another.
  d.created_ms = deployments_.empty() ? now_ms : std::max(now_ms, deployments_.back().created_ms + 1);
  d.ready_state = "QUEUED";
  deployments_.push_back(std::move(d));
  Deployment& added = deployments_.back();
  deployment_by_ref_.emplace(added.id, &added);
  deployment_by_ref_.emplace(added.url, &added);
  by_project_[added.project_id].push_back(&added);
  building_.push_back(&added);
  return added;
}

std::vector<const Deployment*> VercelStore::Deployments(const std::string& project_id) const {
  std::vector<const Deployment*> out;  // newest first
  if (project_id.empty()) {
    for (auto it = deployments_.rbegin(); it != deployments_.rend(); ++it) out.push_back(&*it);
    return out;
  }
  auto it = by_project_.find(project_id);
  if (it != by_project_.end()) out.assign(it->second.rbegin(), it->second.rend());
  return out;
}

Domain* VercelStore::FindDomain(const std::string& name) {
  for (Domain& d : domains_) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

Domain& VercelStore::AddDomain(const std::string& name, const std::string& project_id,
                               int64_t now_ms) {
  Domain d;
  d.name = name;
  d.project_id = project_id;
  d.token = RandomHex(12);
  d.created_ms = now_ms;
  domains_.push_back(d);
  return domains_.back();
}

bool VercelStore::RemoveDomain(const std::string& name, const std::string& project_id) {
  for (auto it = domains_.begin(); it != domains_.end(); ++it) {
    if (it->name == name && it->project_id == project_id) {
      domains_.erase(it);
      return true;
    }
  }
  return false;
}

void VercelStore::SetProduction(Project& p, Deployment& d) {
  p.production_deployment_id = d.id;
  d.was_production = true;
}

void VercelStore::RequestAlias(Project& p, Deployment& d, const std::string& type,
                               int64_t now_ms) {
  const bool at_once = type == "rollback";
  p.last_alias_request = {{"fromDeploymentId", p.production_deployment_id},
                          {"toDeploymentId", d.id},
                          {"jobStatus", at_once ? "succeeded" : "pending"},
                          {"requestedAt", now_ms},
                          {"type", type}};
  if (at_once) {
    SetProduction(p, d);
  } else {
    alias_new_.push_back(&p);
  }
}

void VercelStore::AdvanceAliases(int64_t now_ms) {
  ++advances_;
  for (Project* p : alias_new_) {
    nlohmann::json& a = p->last_alias_request;
    if (a.value("jobStatus", "") != "pending") continue;  // queued twice, or done at once
    const Deployment* d = FindDeployment(a.value("toDeploymentId", ""));
    if (d == nullptr || d->ready_state != "READY") {
      a["jobStatus"] = "failed";
      continue;
    }
    a["jobStatus"] = "in-progress";
    const int64_t requested = a.value("requestedAt", now_ms);
    alias_due_.push_back({p, requested, advances_});
  }
  alias_new_.clear();
  // Seen in progress by at least one request before it ends (the same Advance may not end it).
  while (!alias_due_.empty() && alias_due_.front().requested_at + delay_ms_ / 2 <= now_ms &&
         alias_due_.front().advance < advances_) {
    const AliasJob job = alias_due_.front();
    alias_due_.pop_front();
    nlohmann::json& a = job.project->last_alias_request;
    if (a.value("requestedAt", int64_t{-1}) != job.requested_at ||
        a.value("jobStatus", "") != "in-progress") {
      continue;  // superseded by a newer request
    }
    Deployment* d = FindDeployment(a.value("toDeploymentId", ""));
    if (d == nullptr || d->ready_state != "READY") {
      a["jobStatus"] = "failed";
    } else {
      SetProduction(*job.project, *d);
      a["jobStatus"] = "succeeded";
    }
  }
}

const Deployment* VercelStore::SiteFor(const std::string& host) {
  const Deployment* d = FindDeployment(host);
  if (d == nullptr) {
    std::string project_ref;
    const std::string alias_suffix = ".vercel.app";
    if (host.size() > alias_suffix.size() &&
        host.compare(host.size() - alias_suffix.size(), alias_suffix.size(), alias_suffix) == 0) {
      project_ref = host.substr(0, host.size() - alias_suffix.size());
    } else if (const Domain* domain = FindDomain(host); domain != nullptr && domain->verified) {
      project_ref = domain->project_id;
    }
    const Project* p = project_ref.empty() ? nullptr : FindProject(project_ref);
    if (p != nullptr) d = FindDeployment(p->production_deployment_id);
  }
  return d != nullptr && d->ready_state == "READY" ? d : nullptr;
}

void VercelStore::Advance(int64_t now_ms) {
  while (!building_.empty()) {
    Deployment& d = *building_.front();
    if (d.ready_state != "CANCELED") {  // skipped by the Ignored Build Step: nothing to do
      if (now_ms - d.created_ms < delay_ms_) break;  // nor for any younger one
      d.ready_state = d.will_fail ? "ERROR" : "READY";
      Project* p = FindProject(d.project_id);
      if (p != nullptr && d.ready_state == "READY" && d.target == "production" && p->auto_assign &&
          d.auto_assign) {
        SetProduction(*p, d);
      }
    }
    building_.pop_front();
    if (first_queued_ > 0) --first_queued_;
  }
  for (; first_queued_ < building_.size(); ++first_queued_) {
    Deployment& d = *building_[first_queued_];
    if (d.ready_state == "CANCELED") continue;
    if ((now_ms - d.created_ms) * 2 < delay_ms_) break;
    d.ready_state = "BUILDING";
  }
  AdvanceAliases(now_ms);
}

bool BuildIgnored(const std::string& command, const std::string& env, const std::string& ref) {
  if (command.empty()) return false;
  if (command == "exit 0") return true;
  const std::string env_test = "[ \"$VERCEL_ENV\" = ";
  const std::string ref_test = "case \"$VERCEL_GIT_COMMIT_REF\" in ";
  size_t e = command.find(env_test);
  size_t c = command.find(ref_test);
  if (e == std::string::npos && c == std::string::npos) return false;
  if (e != std::string::npos) {
    size_t start = e + env_test.size();
    size_t end = command.find(' ', start);
    if (end == std::string::npos || command.substr(start, end - start) != env) return true;
  }
  if (c != std::string::npos) {
    size_t start = c + ref_test.size();
    size_t end = command.find("*)", start);
    if (end == std::string::npos) return false;
    const std::string prefix = command.substr(start, end - start);
    if (ref.compare(0, prefix.size(), prefix) != 0) return true;
  }
  return false;
}

nlohmann::json ProjectJson(const Project& p, VercelStore& store) {
  nlohmann::json env = nlohmann::json::array();
  for (const EnvVar& e : p.env) {
    // Like Vercel, values of non-plain variables are not returned.
    env.push_back({{"key", e.key}, {"target", e.target}, {"type", e.type},
                   {"value", e.type == "plain" ? e.value : ""}});
  }
  nlohmann::json targets = nlohmann::json::object();
  if (Deployment* d = store.FindDeployment(p.production_deployment_id)) {
    targets["production"] = {{"id", d->id}, {"url", d->url}, {"readyState", d->ready_state}};
  }
  return {{"id", p.id},         {"name", p.name},
          {"accountId", "team_emulator"}, {"framework", p.framework},
          {"createdAt", p.created_ms},    {"updatedAt", p.created_ms},
          {"link", p.link},       {"env", env},
          {"targets", targets},   {"latestDeployments", nlohmann::json::array()},
          {"autoAssignCustomDomains", p.auto_assign},
          {"commandForIgnoringBuildStep",
           p.ignore_command.empty() ? nlohmann::json() : nlohmann::json(p.ignore_command)},
          {"lastAliasRequest", p.last_alias_request}};
}

nlohmann::json DeploymentJson(const Deployment& d) {
  nlohmann::json j = {{"id", d.id},
                      {"url", d.url},
                      {"name", d.name},
                      {"projectId", d.project_id},
                      {"target", d.target.empty() ? nlohmann::json() : nlohmann::json(d.target)},
                      {"readyState", d.ready_state},
                      {"status", d.ready_state},
                      {"createdAt", d.created_ms},
                      {"alias", nlohmann::json::array()},
                      {"aliasAssigned", d.ready_state == "READY" &&
                                            (d.was_production || d.target != "production")},
                      {"aliasError", nullptr},
                      {"gitSource", d.git_source},
                      {"meta", d.meta.is_null() ? nlohmann::json::object() : d.meta},
                      {"inspectorUrl", "https://vercel.com/emulator/" + d.name + "/" + d.id}};
  if (d.ready_state == "READY" && d.target == "production") {
    j["readySubstate"] = d.was_production ? "PROMOTED" : "STAGED";
  }
  if (d.ready_state == "ERROR") {
    j["errorCode"] = "BUILD_FAILED";
    j["errorMessage"] = "Command \"npm run build\" exited with 1";
    j["errorStep"] = "build";
  }
  return j;
}

nlohmann::json DomainJson(const Domain& d) {
  nlohmann::json j = {{"name", d.name},           {"apexName", ApexOf(d.name)},
                      {"projectId", d.project_id}, {"redirect", nullptr},
                      {"redirectStatusCode", nullptr}, {"gitBranch", nullptr},
                      {"createdAt", d.created_ms}, {"updatedAt", d.created_ms},
                      {"verified", d.verified}};
  if (!d.verified) {
    j["verification"] = {{{"type", "TXT"},
                          {"domain", "_vercel." + ApexOf(d.name)},
                          {"value", "vc-domain-verify=" + d.name + "," + d.token},
                          {"reason", "pending_domain_verification"}}};
  }
  return j;
}

}  // namespace slipway::emulator
