// activities/build/build_validator_test.cc: step planning, result assembly, caching and the
// failure classes of BuildValidator, with a scripted runner (no npm).
#include "activities/build/build_validator.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "activities/build/fake_process_runner.h"

namespace slipway::activities::build {
namespace {

namespace fs = std::filesystem;

class BuildValidatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("slipway-validator-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    dir_ = fs::canonical(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Write(const std::string& rel, const std::string& text) {
    fs::create_directories((dir_ / rel).parent_path());
    std::ofstream(dir_ / rel) << text;
  }
  // A TypeScript site whose dependencies are "installed" already.
  void TypeScriptSite() {
    Write("package.json",
          R"({"scripts":{"build":"tsc && node dist/build.js"},"devDependencies":{"typescript":"5.6.3"}})");
    Write("package-lock.json", "{}");
    Write("tsconfig.json", "{}");
    Write("node_modules/typescript/package.json", "{}");
    Write("node_modules/.bin/tsc", "");
  }
  Result<BuildResult> Validate(const std::string& sha = "abc123") {
    return validator_.ValidateDirectory({"acme/site", sha, nullptr}, dir_.string());
  }
  std::string Tsc() const { return (dir_ / "node_modules/.bin/tsc").string(); }

  fs::path dir_;
  FakeProcessRunner runner_;
  InMemoryBuildCache cache_;
  BuildValidator validator_{runner_, cache_};
};

TEST_F(BuildValidatorTest, CleanSiteRunsInstallTypecheckAndBuild) {
  TypeScriptSite();
  Result<BuildResult> r = Validate();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->passed);
  EXPECT_TRUE(r->errors.empty());
  EXPECT_EQ(runner_.commands(),
            (std::vector<std::string>{"npm ci --ignore-scripts --no-audit --no-fund --prefer-offline",
                                      Tsc() + " --noEmit --pretty false", "npm run build"}));
  ASSERT_EQ(r->steps.size(), 3u);
  EXPECT_EQ(r->steps[0].name, "install");
  EXPECT_EQ(r->steps[1].name, "typecheck");
  EXPECT_EQ(r->steps[2].name, "build");
  for (const ProcessSpec& spec : runner_.specs()) EXPECT_EQ(spec.cwd, dir_.string());
  EXPECT_EQ(runner_.specs()[2].timeout_ms, 5 * 60 * 1000);
}

TEST_F(BuildValidatorTest, ChildEnvironmentKeepsNpmCacheButNotEngineSecrets) {
  TypeScriptSite();
  setenv("GITHUB_TOKEN", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", 1);
  setenv("npm_config_cache", "/var/cache/slipway-npm", 1);
  setenv("npm_config__authToken", "secret", 1);
  Result<BuildResult> r = Validate();
  unsetenv("GITHUB_TOKEN");
  unsetenv("npm_config_cache");
  unsetenv("npm_config__authToken");
  ASSERT_TRUE(r.ok());
  const ProcessSpec& spec = runner_.specs()[0];
  EXPECT_FALSE(spec.inherit_env);
  EXPECT_EQ(spec.env_add.count("GITHUB_TOKEN"), 0u);
  EXPECT_EQ(spec.env_add.count("npm_config__authToken"), 0u);
  EXPECT_EQ(spec.env_add.at("npm_config_cache"), "/var/cache/slipway-npm");
  EXPECT_EQ(spec.env_add.count("PATH"), 1u);
}

TEST_F(BuildValidatorTest, NpmInstallWithoutLockfileAndLintFromScriptOrDependency) {
  Write("package.json", R"({"scripts":{"lint":"eslint ."},"devDependencies":{"eslint":"9"}})");
  ASSERT_TRUE(Validate("one").ok());
  EXPECT_EQ(runner_.commands(),
            (std::vector<std::string>{"npm install --ignore-scripts --no-audit --no-fund --prefer-offline",
                                      "npm run lint"}));
  Write("package.json", R"({"devDependencies":{"eslint":"9"}})");
  Write("node_modules/.bin/eslint", "");
  ASSERT_TRUE(Validate("two").ok());
  EXPECT_EQ(runner_.commands().back(),
            (dir_ / "node_modules/.bin/eslint").string() + " --format json .");
}

TEST_F(BuildValidatorTest, FailingStepsYieldParsedDeduplicatedErrorsAndATail) {
  TypeScriptSite();
  const std::string tsc_out =
      "src/render.ts(18,9): error TS2322: Type 'number' is not assignable to type 'string'.\n";
  runner_.On(Tsc(), 2, tsc_out);
  runner_.On("npm run build", 1,
             "\n> build\n> tsc && node dist/build.js\n\n" + tsc_out +
                 "token ghp_abcdefghijklmnopqrstuvwxyz0123456789 leaked\n"
                 "npm error Lifecycle script `build` failed with error:\n");
  Result<BuildResult> r = Validate();
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->passed);
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].file, "src/render.ts");
  EXPECT_EQ(r->errors[0].line, 18);
  EXPECT_EQ(r->errors[0].code, "TS2322");
  EXPECT_EQ(r->steps[1].exit_code, 2);
  EXPECT_EQ(r->output_tail, tsc_out);  // the first failing step's output
  EXPECT_EQ(runner_.specs().size(), 3u) << "the build still runs after tsc failed";
}

TEST_F(BuildValidatorTest, OutputTailIsRedacted) {
  TypeScriptSite();
  runner_.On("npm run build", 1, "Authorization: Bearer abcdefghijklmnop\nboom\n");
  Result<BuildResult> r = Validate();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->output_tail.find("abcdefghijklmnop"), std::string::npos);
}

TEST_F(BuildValidatorTest, SecondValidationOfTheSameShaIsServedFromTheCache) {
  TypeScriptSite();
  runner_.On("npm run build", 1, "src/a.ts(1,2): error TS2304: Cannot find name 'x'.\n");
  Result<BuildResult> first = Validate("sha1");
  ASSERT_TRUE(first.ok());
  const size_t runs = runner_.specs().size();
  Result<BuildResult> second = Validate("sha1");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(runner_.specs().size(), runs) << "a cache hit must not run anything";
  EXPECT_TRUE(second->from_cache);
  EXPECT_FALSE(first->from_cache);
  EXPECT_EQ(second->errors, first->errors);
  ASSERT_TRUE(Validate("sha2").ok());
  EXPECT_GT(runner_.specs().size(), runs) << "another sha is another build";
}

TEST_F(BuildValidatorTest, SameTreeInAnotherRepositoryIsServedFromTheCache) {
  TypeScriptSite();
  ValidateRequest a{"acme/site", "c1", nullptr, "tree1"};
  ValidateRequest b{"other/site", "c2", nullptr, "tree1"};
  Result<BuildResult> first = validator_.ValidateDirectory(a, dir_.string());
  ASSERT_TRUE(first.ok());
  const size_t runs = runner_.specs().size();
  Result<BuildResult> second = validator_.ValidateDirectory(b, dir_.string());
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->from_cache);
  EXPECT_EQ(runner_.specs().size(), runs) << "one tree, one build";
  EXPECT_TRUE(validator_.Cached(b).has_value());
  EXPECT_FALSE(validator_.Cached({"other/site", "c2", nullptr, "tree2"}).has_value());
  EXPECT_FALSE(validator_.Cached({"other/site", "c2", nullptr, ""}).has_value())
      << "without the tree, the commit key: not built in this repository";
}

TEST_F(BuildValidatorTest, TreeKeyIncludesTheBuilderSettings) {
  TypeScriptSite();
  ASSERT_TRUE(validator_.ValidateDirectory({"acme/site", "c1", nullptr, "tree1"}, dir_.string()).ok());
  ValidatorOptions other;
  other.install_scripts_allowed = {"sharp"};
  BuildValidator allowing(runner_, cache_, other);
  EXPECT_NE(allowing.SettingsFingerprint(), validator_.SettingsFingerprint());
  EXPECT_FALSE(allowing.Cached({"acme/site", "c1", nullptr, "tree1"}).has_value())
      << "a build that may run install scripts can end differently";
  ValidatorOptions toolchain;
  toolchain.toolchain = "node v99";
  EXPECT_FALSE(BuildValidator(runner_, cache_, toolchain)
                   .Cached({"acme/site", "c1", nullptr, "tree1"})
                   .has_value());
  EXPECT_TRUE(BuildValidator(runner_, cache_, ValidatorOptions{})
                  .Cached({"x/y", "c9", nullptr, "tree1"})
                  .has_value())
      << "the same settings in another validator (another node) hit";
}

TEST_F(BuildValidatorTest, TimedOutBuildFailsAndIsNotCached) {
  TypeScriptSite();
  runner_.On("npm run build", [](const ProcessSpec&) {
    ProcessResult r;
    r.term_signal = 15;
    r.timed_out = true;
    r.output = "Generating static pages (0/3) ...\n";
    return r;
  });
  Result<BuildResult> r = Validate();
  // Not retried: a hang in the site's own build script hangs again (issue 12).
  EXPECT_EQ(r.status().code(), Code::kPermanent) << r.status().ToString();
  EXPECT_FALSE(r.status().retryable());
  EXPECT_NE(r.status().message().find("'build' timed out after"), std::string::npos)
      << r.status().message();
  const size_t runs = runner_.specs().size();
  EXPECT_FALSE(Validate().ok());  // nothing was cached: the next validation runs again
  EXPECT_GT(runner_.specs().size(), runs);
}

TEST_F(BuildValidatorTest, TimedOutInstallStaysRetryable) {
  TypeScriptSite();
  runner_.On("npm ci", [](const ProcessSpec&) {
    ProcessResult r;
    r.term_signal = 15;
    r.timed_out = true;
    return r;
  });
  Result<BuildResult> r = Validate();
  EXPECT_EQ(r.status().code(), Code::kDeadlineExceeded);
  EXPECT_TRUE(r.status().retryable());
}

TEST_F(BuildValidatorTest, RegistryOutageIsRetryableAndNotCached) {
  TypeScriptSite();
  runner_.On("npm ci", 1,
             "npm error code ECONNRESET\nnpm error network aborted\n"
             "npm error A complete log of this run can be found in: /root/.npm/_logs/x.log\n");
  Result<BuildResult> r = Validate();
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
  EXPECT_TRUE(r.status().retryable());
  EXPECT_EQ(runner_.specs().size(), 1u);
  ASSERT_FALSE(Validate().ok());
  EXPECT_EQ(runner_.specs().size(), 2u);
}

TEST_F(BuildValidatorTest, BadDependencyFailsValidationWithAnNpmRecord) {
  TypeScriptSite();
  runner_.On("npm ci", 1,
             "npm error code ETARGET\n"
             "npm error notarget No matching version found for typescript@99.0.0.\n"
             "npm error A complete log of this run can be found in: /root/.npm/_logs/x.log\n");
  Result<BuildResult> r = Validate();
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->passed);
  EXPECT_EQ(r->steps.size(), 1u);
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].tool, "npm");
  EXPECT_EQ(r->errors[0].file, "package.json");
  EXPECT_EQ(r->errors[0].code, "ETARGET");
  EXPECT_EQ(r->errors[0].message, "notarget No matching version found for typescript@99.0.0.");
}

TEST_F(BuildValidatorTest, MissingOrBrokenPackageJsonFailsWithoutRunningAnything) {
  Result<BuildResult> r = Validate("a");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->passed);
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].code, "ENOENT");
  Write("package.json", "{ not json");
  r = Validate("b");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->errors[0].code, "EJSONPARSE");
  EXPECT_TRUE(runner_.specs().empty());
}

TEST_F(BuildValidatorTest, CancellationStopsBeforeAndDuringSteps) {
  TypeScriptSite();
  Result<BuildResult> r = validator_.ValidateDirectory({"acme/site", "c1", [] { return true; }},
                                                       dir_.string());
  EXPECT_EQ(r.status().code(), Code::kCancelled);
  EXPECT_TRUE(runner_.specs().empty());
  runner_.On("npm ci", [](const ProcessSpec&) {
    ProcessResult p;
    p.cancelled = true;
    p.term_signal = 15;
    return p;
  });
  r = validator_.ValidateDirectory({"acme/site", "c1", [] { return false; }}, dir_.string());
  EXPECT_EQ(r.status().code(), Code::kCancelled);
  EXPECT_EQ(runner_.specs().size(), 1u);
  EXPECT_FALSE(cache_.Get({"acme/site", "c1"})->has_value()) << "cancelled runs are not cached";
}

TEST_F(BuildValidatorTest, TarballIsExtractedValidatedRemovedAndCachedBeforeExtraction) {
  Write("src/acme-site-0123abc/package.json", R"({"scripts":{"build":"node build.js"}})");
  Write("src/acme-site-0123abc/package-lock.json", "{}");
  SystemClock clock;
  PosixProcessRunner real(clock);
  ProcessSpec tar;
  tar.argv = {"tar", "-czf", (dir_ / "site.tar.gz").string(), "-C", (dir_ / "src").string(),
              "acme-site-0123abc"};
  ASSERT_TRUE(real.Run(tar)->succeeded());
  FakeProcessRunner runner(&real);
  runner.Delegate("tar ");
  ValidatorOptions options;
  options.work_dir = (dir_ / "work").string();
  BuildValidator validator(runner, cache_, options);
  Result<BuildResult> r =
      validator.ValidateTarball({"acme/site", "0123abc", nullptr}, (dir_ / "site.tar.gz").string());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->passed);
  ASSERT_EQ(runner.commands().size(), 3u);
  EXPECT_EQ(runner.commands()[2], "npm run build");
  EXPECT_EQ(fs::path(runner.specs()[1].cwd).filename(), "acme-site-0123abc");
  EXPECT_TRUE(fs::is_empty(dir_ / "work")) << "the extracted tree is removed afterwards";
  ASSERT_TRUE(validator.ValidateTarball({"acme/site", "0123abc", nullptr},
                                        (dir_ / "site.tar.gz").string()).ok());
  EXPECT_EQ(runner.commands().size(), 3u) << "a cache hit neither extracts nor builds";
}

// Install scripts never run with the install (--ignore-scripts); a package that wanted one
// fails the validation by name, unless ops allowed it.
TEST_F(BuildValidatorTest, PackageThatWantsAnInstallScriptIsRefusedByName) {
  TypeScriptSite();
  Write("node_modules/left-pad/package.json", R"({"scripts":{"test":"x"}})");
  Write("node_modules/sharp/package.json", R"({"scripts":{"install":"node install.js"}})");
  Write("node_modules/@acme/native/binding.gyp", "{}");
  Write("node_modules/left-pad/node_modules/evil/package.json",
        R"({"scripts":{"postinstall":"curl http://169.254.169.254/"}})");
  Result<BuildResult> r = Validate();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->passed);
  ASSERT_EQ(r->steps.size(), 1u) << "nothing runs after the refusal";
  std::vector<std::string> refused;
  for (const BuildError& e : r->errors) {
    EXPECT_EQ(e.code, "EINSTALLSCRIPT");
    EXPECT_EQ(e.file, "package.json");
    refused.push_back(e.message.substr(0, e.message.find(' ', 8)));
  }
  std::sort(refused.begin(), refused.end());
  EXPECT_EQ(refused, (std::vector<std::string>{"package @acme/native", "package evil",
                                               "package sharp"}));
}

TEST_F(BuildValidatorTest, AllowListedInstallScriptsRunAfterTheInstall) {
  TypeScriptSite();
  Write("node_modules/sharp/package.json", R"({"scripts":{"install":"node install.js"}})");
  ValidatorOptions options;
  options.install_scripts_allowed = {"sharp"};
  BuildValidator validator(runner_, cache_, options);
  Result<BuildResult> r = validator.ValidateDirectory({}, dir_.string());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->passed) << r->output_tail;
  ASSERT_GE(runner_.commands().size(), 2u);
  EXPECT_EQ(runner_.commands()[1], "npm rebuild --ignore-scripts=false --foreground-scripts sharp");
  EXPECT_EQ(r->steps[1].name, "install-scripts");
}

TEST_F(BuildValidatorTest, InstallFetchesFromTheRegistryOnly) {
  TypeScriptSite();
  Write("package.json", R"({"dependencies":{"a":"^1.0.0","b":"file:vendor/b","c":"npm:d@1",)"
                        R"("evil":"http://169.254.169.254/latest.tgz","gh":"owner/repo",)"
                        R"("g":"git+ssh://git@127.0.0.1/x.git"}})");
  Write("package-lock.json",
        R"({"packages":{"":{},"node_modules/a":{"resolved":"https://registry.npmjs.org/a/-/a-1.0.0.tgz"},)"
        R"("node_modules/x":{"resolved":"http://127.0.0.1:8080/x.tgz"}}})");
  Result<BuildResult> r = Validate();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->passed);
  EXPECT_TRUE(runner_.commands().empty()) << "npm never ran";
  std::string all;
  for (const BuildError& e : r->errors) {
    EXPECT_EQ(e.code, "EINSTALLSOURCE");
    all += e.message + "\n";
  }
  EXPECT_EQ(r->errors.size(), 4u) << all;
  for (const char* bad : {"169.254.169.254", "owner/repo", "git+ssh", "127.0.0.1:8080"}) {
    EXPECT_NE(all.find(bad), std::string::npos) << bad;
  }
}

TEST_F(BuildValidatorTest, HalfAKeyOrAMissingDirectoryIsInvalid) {
  EXPECT_EQ(validator_.ValidateDirectory({"acme/site", "", nullptr}, dir_.string()).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(validator_.ValidateDirectory({}, (dir_ / "nope").string()).status().code(),
            Code::kInvalidArgument);
}

}  // namespace
}  // namespace slipway::activities::build
