// tools/slipwayd/build_sandbox_test.cc: slipwayd's start-up decision about the build sandbox:
// normal mode refuses to start without a working bubblewrap, --sandbox falls back loudly, and
// SLIPWAY_BUILD_SANDBOX=off is explicit.
#include "tools/slipwayd/build_sandbox.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <map>

namespace slipway::server {
namespace {

activities::GetEnvFn EnvOf(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(BuildSandboxSetupTest, NormalModeRefusesToStartWithoutBubblewrap) {
  auto s = SetUpBuildSandbox(EnvOf({{"SLIPWAY_BWRAP", "/nonexistent/bwrap"}}), false);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(s.status().message().find("`bubblewrap`"), std::string::npos) << s.status().ToString();
}

TEST(BuildSandboxSetupTest, SandboxModeFallsBackToUnconfinedBuilds) {
  auto s = SetUpBuildSandbox(EnvOf({{"SLIPWAY_BWRAP", "/nonexistent/bwrap"}}), true);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_FALSE(s->sandbox.has_value());
}

TEST(BuildSandboxSetupTest, OffIsExplicitAndBadValuesNameTheVariable) {
  auto off = SetUpBuildSandbox(EnvOf({{"SLIPWAY_BUILD_SANDBOX", "off"}}), false);
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE(off->sandbox.has_value());
  EXPECT_EQ(SetUpBuildSandbox(EnvOf({{"SLIPWAY_BUILD_SANDBOX", "no"}}), false).status().field(),
            "SLIPWAY_BUILD_SANDBOX");
  EXPECT_EQ(SetUpBuildSandbox(EnvOf({{"SLIPWAY_BUILD_UID", "0"}}), false).status().field(),
            "SLIPWAY_BUILD_UID");
  EXPECT_EQ(SetUpBuildSandbox(EnvOf({{"SLIPWAY_NPM_CACHE", "rel"}}), false).status().field(),
            "SLIPWAY_NPM_CACHE");
}

TEST(BuildSandboxSetupTest, WorkingBubblewrapPassesTheSelfTest) {
  if (access("/usr/bin/bwrap", X_OK) != 0) GTEST_SKIP() << "bubblewrap is not installed";
  auto s = SetUpBuildSandbox(EnvOf({{"SLIPWAY_INSTALL_SCRIPTS_ALLOW", "sharp, @scope/native"},
                                    {"SLIPWAY_NPM_CACHE", "/tmp/slipway-npm-cache-setup-test"}}),
                             false);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_TRUE(s->sandbox.has_value());
  EXPECT_EQ(s->sandbox->npm_cache_dir, "/tmp/slipway-npm-cache-setup-test");
  EXPECT_EQ(s->install_scripts_allowed, (std::vector<std::string>{"sharp", "@scope/native"}));
}

}  // namespace
}  // namespace slipway::server
