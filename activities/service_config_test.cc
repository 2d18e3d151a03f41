#include "activities/service_config.h"

#include <gtest/gtest.h>

#include <map>

namespace slipway::activities {
namespace {

GetEnvFn FakeEnv(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(ServiceConfigTest, DefaultsPointAtTheRealServices) {
  Result<ServiceConfig> c = LoadServiceConfig(FakeEnv({}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->github.api_url, "https://api.github.com");
  EXPECT_EQ(c->vercel.api_url, "https://api.vercel.com");
  EXPECT_EQ(c->anthropic.api_url, "https://api.anthropic.com");
  EXPECT_EQ(c->anthropic.timeout_ms, 30'000);
  EXPECT_EQ(RequireGitHub(*c).code(), Code::kFailedPrecondition);
  EXPECT_NE(RequireGitHub(*c).message().find("GITHUB_TOKEN"), std::string::npos);
}

TEST(ServiceConfigTest, ReadsEveryVariableByItsExactName) {
  Result<ServiceConfig> c = LoadServiceConfig(FakeEnv({
      {"GITHUB_API_URL", "http://127.0.0.1:9000/"},
      {"GITHUB_TOKEN", "gt"},
      {"GITHUB_OWNER", "acme-sites"},
      {"SLIPWAY_TEMPLATE_REPO", "acme-templates/site-template"},
      {"VERCEL_API_URL", "http://127.0.0.1:9000"},
      {"VERCEL_TOKEN", "vt"},
      {"VERCEL_TEAM_ID", "team_1"},
      {"ANTHROPIC_API_URL", "http://127.0.0.1:9000"},
      {"ANTHROPIC_API_KEY", "ak"},
      {"ANTHROPIC_MODEL", "claude-sonnet-5-5"},
      {"SMTP_URL", "smtp://127.0.0.1:2525"},
      {"SLIPWAY_BASE_DOMAIN", "sites.example.com"},
  }));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->github.api_url, "http://127.0.0.1:9000");  // trailing slash dropped
  EXPECT_EQ(c->github.token, "gt");
  EXPECT_EQ(c->github.owner, "acme-sites");
  EXPECT_EQ(c->github.template_owner, "acme-templates");
  EXPECT_EQ(c->github.template_repo, "site-template");
  EXPECT_EQ(c->vercel.token, "vt");
  EXPECT_EQ(c->vercel.team_id, "team_1");
  EXPECT_EQ(c->anthropic.api_key, "ak");
  EXPECT_EQ(c->anthropic.model, "claude-sonnet-5-5");
  EXPECT_EQ(c->smtp_url, "smtp://127.0.0.1:2525");
  EXPECT_EQ(c->base_domain, "sites.example.com");
  EXPECT_TRUE(RequireGitHub(*c).ok());
  EXPECT_TRUE(RequireVercel(*c).ok());
  EXPECT_TRUE(RequireAnthropic(*c).ok());
}

TEST(ServiceConfigTest, RejectsMalformedValuesNamingTheVariable) {
  Result<ServiceConfig> bad_repo = LoadServiceConfig(FakeEnv({{"SLIPWAY_TEMPLATE_REPO", "noslash"}}));
  ASSERT_FALSE(bad_repo.ok());
  EXPECT_EQ(bad_repo.status().field(), "SLIPWAY_TEMPLATE_REPO");
  Result<ServiceConfig> bad_url = LoadServiceConfig(FakeEnv({{"VERCEL_API_URL", "ftp://x"}}));
  ASSERT_FALSE(bad_url.ok());
  EXPECT_EQ(bad_url.status().field(), "VERCEL_API_URL");
}

}  // namespace
}  // namespace slipway::activities
