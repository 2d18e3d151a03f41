// activities/vercel_client.h: the Vercel REST calls Slipway makes, typed in and typed out.
//
// Every call is safe to repeat with the same input:
//   CreateProject      looks the name up first; an existing project is reused (created=false)
//                      and its env vars are upserted to the requested values.
//   CreateDeployment   with an idempotency_key, first looks among the project's recent
//                      deployments for one whose meta carries that key and returns it
//                      (created=false); the key is stored in meta.slipwayIdempotencyKey.
//   FindByKey          that look-up alone: GET /v7/deployments newest first, following
//                      `pagination.next` with `until=` (kKeyPageSize a page, at most
//                      kMaxKeyPages pages: the 1,000 newest deployments of the project).
//   AddDomain          a domain already on this project is returned as it stands (created=false).
//   RemoveDomain       a domain not (or no longer) on the project is success (removed=false).
//   Rollback           a deployment that already serves production is left alone.
//   Promote            repeatable as Vercel makes it (it also re-enables auto-assignment).
//                      Vercel moves the domains in a job: watch GetProject's
//                      last_alias_request until it is done for that deployment.
//   GetProject, GetDeployment, GetDomain, VerifyDomain  reads / a check that changes nothing
//                      on failure (VerifyDomain reports verified=false with the DNS records).
// Ids, names and domains that reach a URL path are checked first (kInvalidArgument naming
// the parameter; engine/base/git_names.h), and no URL with a "."/".." segment is sent.
// All requests carry teamId when VercelConfig::team_id is set. Errors follow http_errors.h.
// Thread-safe if the HttpClient is. The HttpClient must outlive this.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "activities/http_client.h"
#include "activities/service_config.h"
#include "engine/base/status.h"

namespace slipway::activities {

struct EnvVarSpec {
  std::string key;
  std::string value;  // secret when type is encrypted/sensitive: never logged
  std::vector<std::string> targets{"production", "preview", "development"};
  std::string type = "encrypted";  // plain | encrypted | sensitive
};

struct ProjectSpec {
  std::string name;
  std::string framework = "nextjs";  // empty: no framework (null)
  std::string git_repo;              // "owner/name" on GitHub; empty: no git link
  std::vector<EnvVarSpec> env;
  // The Ignored Build Step (`commandForIgnoringBuildStep`): a shell command Vercel runs before
  // a build; exit 0 skips it. A linked project builds every push unless this says otherwise.
  // Empty: not set.
  std::string ignored_build_command = "";
};

// The project's last promote or rollback (`lastAliasRequest`): the move of the production
// domains from one deployment to another, done by a job that is pending, in-progress, then
// succeeded or failed (or skipped).
struct AliasRequest {
  std::string from_deployment_id;
  std::string to_deployment_id;
  std::string job_status;  // empty when the project has none
  std::string type;        // promote | rollback
  int64_t requested_at = 0;
  bool Done() const { return job_status == "succeeded"; }
  bool Failed() const { return job_status == "failed"; }
};

struct VercelProject {
  std::string id;
  std::string name;
  std::string production_deployment_id;  // empty when nothing is in production
  AliasRequest last_alias_request;
  std::string ignored_build_command;  // commandForIgnoringBuildStep, empty when unset
  bool created = false;
};

struct DeploymentSpec {
  std::string project;  // id or name
  std::string target;   // "production", or empty for a preview
  std::string git_org;
  std::string git_repo;
  std::string git_ref;  // branch
  std::string git_sha;  // optional exact commit on that branch
  std::map<std::string, std::string> meta;
  std::string idempotency_key;  // e.g. workflow id + step; empty: no de-duplication
  // A staged production deployment: target production, built with production's settings,
  // but not assigned to the production domains (`autoAssignCustomDomains: false`, what
  // `vercel --prod --skip-domain` sends) until Promote.
  bool staged = false;
};

struct VercelDeployment {
  std::string id;
  std::string url;          // host name only
  std::string ready_state;  // QUEUED, BUILDING, READY, ERROR, CANCELED, INITIALIZING, BLOCKED
  std::string target;
  std::string ready_substate;  // STAGED (never served production), PROMOTED, ROLLING, or empty
  std::string error_code;
  std::string error_message;  // redacted and truncated
  bool created = false;
  bool Ready() const { return ready_state == "READY"; }
  bool Failed() const {
    return ready_state == "ERROR" || ready_state == "CANCELED" || ready_state == "BLOCKED";
  }
  bool Terminal() const { return Ready() || Failed(); }
};

// The origin a deployment is reached at: Vercel's `url` is a host name without a scheme
// ("tenant-foo-3xyz.vercel.app" -> "https://tenant-foo-3xyz.vercel.app"); a url that already
// has one (http:// or https://, any case) is used as it is.
std::string DeploymentOrigin(const std::string& url);

struct DnsRecord {
  std::string type;  // e.g. TXT
  std::string domain;
  std::string value;
  std::string reason;
};

struct DomainStatus {
  std::string name;
  bool verified = false;
  std::vector<DnsRecord> verification;  // what the tenant must set while unverified
  bool created = false;
};

class VercelClient {
 public:
  static constexpr int kKeyPageSize = 100;  // Vercel's largest `limit` for list deployments
  static constexpr int kMaxKeyPages = 10;

  VercelClient(HttpClient& http, VercelConfig config);

  Result<VercelProject> CreateProject(const ProjectSpec& spec);
  // kNotFound when there is no such project.
  Result<VercelProject> GetProject(const std::string& id_or_name);
  Result<VercelDeployment> CreateDeployment(const DeploymentSpec& spec);
  Result<VercelDeployment> GetDeployment(const std::string& id);
  // The project's deployment whose meta carries `key` (see above), or nullopt when none of the
  // newest kKeyPageSize * kMaxKeyPages has it. project_id is the project's id.
  Result<std::optional<VercelDeployment>> FindByKey(const std::string& project_id,
                                                    const std::string& key);
  Result<DomainStatus> AddDomain(const std::string& project, const std::string& domain);
  Result<DomainStatus> GetDomain(const std::string& project, const std::string& domain);
  Result<DomainStatus> VerifyDomain(const std::string& project, const std::string& domain);
  // DELETE /v9/projects/{project}/domains/{domain}: true when it was on the project and is
  // removed now, false when Vercel answers 404 (already removed, e.g. by an earlier attempt).
  Result<bool> RemoveDomain(const std::string& project, const std::string& domain);
  Status Promote(const std::string& project_id, const std::string& deployment_id);
  Status Rollback(const std::string& project_id, const std::string& deployment_id);

 private:
  HttpRequest Request(const std::string& method, const std::string& path,
                      const std::string& query = "", const std::string& body = "") const;
  // Every request goes through here: a URL whose path would traverse is kInvalidArgument.
  Result<HttpResponse> Send(const HttpRequest& request);
  Result<std::optional<VercelProject>> FindProject(const std::string& id_or_name);
  Status UpsertEnv(const std::string& project_id, const std::vector<EnvVarSpec>& env);
  Status MoveProduction(const std::string& project_id, const std::string& deployment_id,
                        bool rollback);

  HttpClient& http_;
  const VercelConfig config_;
};

}  // namespace slipway::activities
