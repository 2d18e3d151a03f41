#include "activities/service_config.h"

#include <cstdlib>

namespace slipway::activities {

namespace {

std::string StripTrailingSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// Sets *out from `name` when it is set and non-empty.
void Read(const GetEnvFn& getenv, const char* name, std::string* out) {
  std::optional<std::string> v = getenv(name);
  if (v && !v->empty()) *out = *v;
}

Status ReadUrl(const GetEnvFn& getenv, const char* name, std::string* out) {
  Read(getenv, name, out);
  *out = StripTrailingSlash(*out);
  if (out->rfind("http://", 0) != 0 && out->rfind("https://", 0) != 0) {
    return InvalidArgument(name, std::string(name) + " must start with http:// or https://");
  }
  return Status::Ok();
}

Status ReadTemplateRepo(const GetEnvFn& getenv, GitHubConfig* gh) {
  std::string full;
  Read(getenv, "SLIPWAY_TEMPLATE_REPO", &full);
  if (full.empty()) return Status::Ok();
  size_t slash = full.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == full.size() ||
      full.find('/', slash + 1) != std::string::npos) {
    return InvalidArgument("SLIPWAY_TEMPLATE_REPO", "SLIPWAY_TEMPLATE_REPO must be owner/name");
  }
  gh->template_owner = full.substr(0, slash);
  gh->template_repo = full.substr(slash + 1);
  return Status::Ok();
}

Status Missing(const char* name) {
  return FailedPrecondition(std::string(name) + " is not set");
}

}  // namespace

GetEnvFn ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

Result<ServiceConfig> LoadServiceConfig(const GetEnvFn& getenv) {
  ServiceConfig c;
  SLIPWAY_RETURN_IF_ERROR(ReadUrl(getenv, "GITHUB_API_URL", &c.github.api_url));
  Read(getenv, "GITHUB_TOKEN", &c.github.token);
  Read(getenv, "GITHUB_OWNER", &c.github.owner);
  SLIPWAY_RETURN_IF_ERROR(ReadTemplateRepo(getenv, &c.github));
  SLIPWAY_RETURN_IF_ERROR(ReadUrl(getenv, "VERCEL_API_URL", &c.vercel.api_url));
  Read(getenv, "VERCEL_TOKEN", &c.vercel.token);
  Read(getenv, "VERCEL_TEAM_ID", &c.vercel.team_id);
  SLIPWAY_RETURN_IF_ERROR(ReadUrl(getenv, "ANTHROPIC_API_URL", &c.anthropic.api_url));
  Read(getenv, "ANTHROPIC_API_KEY", &c.anthropic.api_key);
  Read(getenv, "ANTHROPIC_MODEL", &c.anthropic.model);
  Read(getenv, "SMTP_URL", &c.smtp_url);
  Read(getenv, "SLIPWAY_BASE_DOMAIN", &c.base_domain);
  return c;
}

Status RequireGitHub(const ServiceConfig& c) {
  if (c.github.token.empty()) return Missing("GITHUB_TOKEN");
  if (c.github.owner.empty()) return Missing("GITHUB_OWNER");
  if (c.github.template_repo.empty()) return Missing("SLIPWAY_TEMPLATE_REPO");
  return Status::Ok();
}

Status RequireVercel(const ServiceConfig& c) {
  if (c.vercel.token.empty()) return Missing("VERCEL_TOKEN");
  return Status::Ok();
}

Status RequireAnthropic(const ServiceConfig& c) {
  if (c.anthropic.api_key.empty()) return Missing("ANTHROPIC_API_KEY");
  if (c.anthropic.model.empty()) return Missing("ANTHROPIC_MODEL");
  return Status::Ok();
}

}  // namespace slipway::activities
