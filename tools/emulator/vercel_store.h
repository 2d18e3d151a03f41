// tools/emulator/vercel_store.h: the emulated Vercel's projects, deployments and domains.
//
// In memory only (a restarted emulator starts with no projects). A deployment is QUEUED for the
// first half of the deploy delay, BUILDING until it elapses, then READY, or ERROR when its
// project was listed in the faults' failing_projects at creation. A READY production
// deployment becomes the project's production deployment while auto-assignment is on (a
// rollback turns it off; a promote turns it back on, as on Vercel) and the deployment was not
// created staged (autoAssignCustomDomains: false). A promote moves production through an alias
// job (lastAliasRequest) that succeeds after half the deploy delay; a rollback's is done at once. Domains stay unverified
// until VerifyDomain (the admin endpoint). Not thread-safe: the emulator serialises calls.
// Lookups by id, name, url and git link are indexed, and Advance visits only deployments not
// yet final and projects with an alias job under way: with 10,000 tenants (20,000 projects)
// the emulator must not be what a benchmark of slipwayd measures.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

namespace slipway::emulator {

struct EnvVar {
  std::string key;
  std::string value;
  std::vector<std::string> target;
  std::string type = "plain";
};

struct Domain {
  std::string name;
  std::string project_id;
  bool verified = false;
  std::string token;  // TXT challenge value
  int64_t created_ms = 0;
};

struct Project {
  std::string id;
  std::string name;
  nlohmann::json framework;  // string or null
  nlohmann::json link;       // null or {type, org, repo, ...}
  std::vector<EnvVar> env;
  int64_t created_ms = 0;
  std::string production_deployment_id;
  bool auto_assign = true;
  // lastAliasRequest: {fromDeploymentId, toDeploymentId, jobStatus, requestedAt, type}, null
  // before the first promote or rollback. A promote's job is pending, then in-progress, and
  // succeeds (moving production) once the alias delay has passed.
  nlohmann::json last_alias_request;
  std::string ignore_command;  // commandForIgnoringBuildStep ("" = build everything)
};

struct Deployment {
  std::string id;
  std::string url;
  std::string name;
  std::string project_id;
  std::string target;  // "production" or "" (preview)
  nlohmann::json git_source;
  nlohmann::json meta;
  int64_t created_ms = 0;
  bool will_fail = false;
  bool was_production = false;
  // autoAssignCustomDomains of the create request: false makes a READY production deployment
  // staged (readySubstate STAGED) until a promote.
  bool auto_assign = true;
  std::string ready_state = "QUEUED";
  std::map<std::string, std::string> files;  // source snapshot at creation (site_routes.cc)
};

class VercelStore {
 public:
  explicit VercelStore(int64_t deploy_delay_ms) : delay_ms_(deploy_delay_ms) {}

  Project* FindProject(const std::string& id_or_name);
  // Projects whose git link is github owner/name.
  std::vector<Project*> LinkedTo(const std::string& owner, const std::string& name);
  Project& AddProject(Project p, int64_t now_ms);
  Deployment* FindDeployment(const std::string& id_or_url);
  Deployment& AddDeployment(Deployment d, int64_t now_ms);
  std::vector<const Deployment*> Deployments(const std::string& project_id) const;
  Domain* FindDomain(const std::string& name);
  Domain& AddDomain(const std::string& name, const std::string& project_id, int64_t now_ms);
  // Removes the domain from the project it is on; false when it was not there.
  bool RemoveDomain(const std::string& name, const std::string& project_id);
  // Moves deployments along QUEUED -> BUILDING -> READY|ERROR and assigns production.
  void Advance(int64_t now_ms);
  void SetProduction(Project& p, Deployment& d);
  // Starts the alias job of a promote (or, done at once, of a rollback) to d.
  void RequestAlias(Project& p, Deployment& d, const std::string& type, int64_t now_ms);
  // The READY deployment a site host name serves: a deployment's own url, the project alias
  // <project>.vercel.app, or a verified custom domain (both: the production deployment).
  const Deployment* SiteFor(const std::string& host);

 private:
  void AdvanceAliases(int64_t now_ms);

  int64_t delay_ms_;
  // deques: pointers stay valid as elements are added (never removed, but for domains).
  std::deque<Project> projects_;
  std::deque<Deployment> deployments_;
  std::deque<Domain> domains_;
  std::unordered_map<std::string, Project*> project_by_ref_;        // id and name
  std::unordered_map<std::string, std::vector<Project*>> linked_;   // "org/repo"
  std::unordered_map<std::string, Deployment*> deployment_by_ref_;  // id and url
  std::unordered_map<std::string, std::vector<const Deployment*>> by_project_;  // oldest first
  // Not READY, ERROR or CANCELED yet, oldest first. One delay for all: they change state in
  // creation order, so Advance looks at the oldest only; [first_queued_, end) are QUEUED.
  std::deque<Deployment*> building_;
  size_t first_queued_ = 0;
  // Alias jobs (lastAliasRequest), each looked at a bounded number of times, never all on every
  // request: alias_new_ were requested since the last Advance (pending: the next shows them in
  // progress, as a poller would see them at least once); alias_due_ are in progress, in the
  // order they fall due (one delay for all), with the requestedAt they were queued for (a newer
  // request of the project supersedes the entry).
  struct AliasJob {
    Project* project;
    int64_t requested_at;  // due half the deploy delay later
    int64_t advance;       // the Advance that showed it in progress
  };
  int64_t advances_ = 0;  // Advance calls so far
  std::vector<Project*> alias_new_;
  std::deque<AliasJob> alias_due_;
};

// Whether the project's Ignored Build Step skips a build of `ref` for `env` (production |
// preview). The emulator runs no shell: it understands "exit 0" (skip all) and the conditions
// `[ "$VERCEL_ENV" = <env> ]` and `case "$VERCEL_GIT_COMMIT_REF" in <prefix>*) exit 1;;` (build
// only when every condition present holds); any other command builds everything.
bool BuildIgnored(const std::string& command, const std::string& env, const std::string& ref);

nlohmann::json ProjectJson(const Project& p, VercelStore& store);
nlohmann::json DeploymentJson(const Deployment& d);
nlohmann::json DomainJson(const Domain& d);

}  // namespace slipway::emulator
