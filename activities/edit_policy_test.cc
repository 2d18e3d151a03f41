#include "activities/edit_policy.h"

#include <gtest/gtest.h>

#include <map>

#include "activities/autofix_edits.h"

namespace slipway::activities {
namespace {

bool Allowed(const std::string& path, const EditPolicy& p = {}) {
  return !PathRefusal(p, path).has_value();
}

TEST(EditPolicyTest, SourceFilesUnderTheSourceFoldersAreAllowed) {
  for (const char* path : {"src/render.ts", "app/page.tsx", "pages/index.jsx", "components/Nav.js",
                           "lib/data.mjs", "lib/cjs.cjs", "styles/site.css", "styles/a.module.css",
                           "styles/theme.scss", "src/deep/er/x.ts", "app/Page.TSX"}) {
    EXPECT_TRUE(Allowed(path)) << path << ": " << PathRefusal({}, path).value_or("");
  }
}

TEST(EditPolicyTest, EveryForbiddenPathIsRefusedWithItsReason) {
  const std::map<std::string, std::string> refused = {
      {"package.json", "package.json is a package manifest or lockfile"},
      {"src/package.json", "is a package manifest or lockfile"},
      {"package-lock.json", "is a package manifest or lockfile"},
      {"yarn.lock", "is a package manifest or lockfile"},
      {"pnpm-lock.yaml", "is a package manifest or lockfile"},
      {"npm-shrinkwrap.json", "is a package manifest or lockfile"},
      {".npmrc", ".npmrc is a hidden file"},
      {"src/.npmrc", "is a hidden file"},
      {".env.local", "is a hidden file"},
      {"next.config.js", "is a build, type-check or lint configuration"},
      {"src/next.config.mjs", "is a build, type-check or lint configuration"},
      {"tsconfig.json", "is a build, type-check or lint configuration"},
      {"src/tsconfig.build.json", "is a build, type-check or lint configuration"},
      {".eslintrc.json", "is a hidden file"},
      {"src/.eslintrc.js", "is a hidden file"},
      {"eslint.config.mjs", "is a build, type-check or lint configuration"},
      {"src/eslint.config.js", "is a build, type-check or lint configuration"},
      {"vercel.json", "is a deployment configuration"},
      {".github/workflows/ci.yml", "is under the hidden folder .github/"},
      {"src/.github/x.ts", "is under the hidden folder .github/"},
      {"scripts/postinstall.js", "is under scripts/"},
      {"src/scripts/build.ts", "is under scripts/"},
      {"src/node_modules/x/index.js", "is under node_modules/"},
      {"src/build.sh", "is a script"},
      {"README.md", "is outside the folders the model may edit"},
      {"test/a.ts", "is outside the folders the model may edit"},
      {"src/data.json", "is not a source file the model may edit"},
      {"public/index.html", "is outside the folders the model may edit"},
  };
  for (const auto& [path, why] : refused) {
    std::optional<std::string> r = PathRefusal({}, path);
    ASSERT_TRUE(r.has_value()) << path;
    EXPECT_EQ(r->rfind("edit policy: ", 0), 0u) << *r;
    EXPECT_NE(r->find(why), std::string::npos) << path << ": " << *r;
  }
}

// Configuration widens the folders and extensions, never the hard deny list.
TEST(EditPolicyTest, ConfiguredPrefixesCannotLiftTheDenyList) {
  EditPolicy wide;
  wide.path_prefixes = {"", "scripts/", ".github/"};
  wide.extensions = {".json", ".js", ".yml", ".sh", ".ts"};
  EXPECT_TRUE(Allowed("tests/a.ts", wide));
  for (const char* path : {"package.json", "scripts/x.js", ".github/workflows/ci.yml",
                           "next.config.js", "tsconfig.json", "vercel.json", "deploy.sh"}) {
    EXPECT_FALSE(Allowed(path, wide)) << path;
  }
}

TEST(EditPolicyTest, EveryDirectiveThatSwitchesACheckOffIsRefused) {
  const std::map<std::string, std::string> added = {
      {"// @ts-nocheck\nconst a = 1;", "@ts-nocheck"},
      {"// @ts-ignore\nconst a: number = '1';", "@ts-ignore"},
      {"/* @ts-ignore */ const a: number = '1';", "@ts-ignore"},
      {"// @ts-expect-error\nconst a: number = '1';", "@ts-expect-error"},
      {"// @TS-IGNORE\nconst a = 1;", "@ts-ignore"},
      {"const a = 1; // eslint-disable-line", "eslint-disable"},
      {"// eslint-disable-next-line no-unused-vars\nconst a = 1;", "eslint-disable"},
      {"/* eslint-disable */\nconst a = 1;", "eslint-disable"},
      {"/* eslint-disable no-console */", "eslint-disable"},
      {"{/* eslint-disable-line */}", "eslint-disable"},
      {"/* eslint no-unused-vars: off */\nconst a = 1;", "/* eslint ... */ configuration comment"},
      {"/*eslint-env node*/", "/* eslint ... */ configuration comment"},
  };
  for (const auto& [new_text, why] : added) {
    std::optional<std::string> r = DirectiveRefusal("const a = 1;", new_text);
    ASSERT_TRUE(r.has_value()) << new_text;
    EXPECT_NE(r->find(why), std::string::npos) << new_text << ": " << *r;
  }
  // A directive that was already there may stay; prose about checks is fine.
  EXPECT_FALSE(DirectiveRefusal("// @ts-ignore\nlet a: number = '1';", "// @ts-ignore\nlet a = 1;"));
  EXPECT_FALSE(DirectiveRefusal("let a = b;", "let a = String(b); // lint is happy now"));
}

TEST(EditPolicyTest, ApplyEditsRefusesPolicyBreakersAndKeepsTheGoodFix) {
  std::string body;
  for (int i = 0; i < 30; ++i) body += "line(" + std::to_string(i) + ");\n";
  std::vector<SentFile> files = {{"src/a.ts", "let x: number = '1';\n" + body},
                                 {"src/b.ts", "export const b = 1;\n"},
                                 {"package.json", "{}"}};
  AppliedEdits a = ApplyEdits(
      files,
      {{"package.json", "{}", "{\"scripts\":{\"postinstall\":\"x\"}}", "add a script"},
       {"src/a.ts", "let x", "// @ts-ignore\nlet x", "silence"},
       {"src/b.ts", "export const b = 1;\n", "", "empty it"},
       {"src/a.ts", body, "", "delete the body"},
       {"src/a.ts", "let x: number = '1';", "let x: number = 1;", "the fix"}},
      EditPolicy{});
  ASSERT_EQ(a.accepted.size(), 1u);
  EXPECT_EQ(a.accepted[0].reason, "the fix");
  EXPECT_EQ(a.files.at("src/a.ts"), "let x: number = 1;\n" + body);
  EXPECT_EQ(a.files.count("src/b.ts"), 0u);
  ASSERT_EQ(a.rejected.size(), 4u);
  EXPECT_NE(a.rejected[0].reason.find("package.json is a package manifest"), std::string::npos);
  EXPECT_NE(a.rejected[1].reason.find("adds @ts-ignore"), std::string::npos);
  EXPECT_EQ(a.rejected[2].reason, "edit policy: the edit would leave src/b.ts empty");
  EXPECT_EQ(a.rejected[3].reason,
            "edit policy: the edits would delete 30 lines (net) from src/a.ts, more than the 20 "
            "allowed");
}

// Deletions add up over the reply's edits to one file: splitting a deletion does not pass.
TEST(EditPolicyTest, DeletedLinesAddUpPerFile) {
  std::string content;
  for (int i = 0; i < 12; ++i) content += "a" + std::to_string(i) + "\n";
  for (int i = 0; i < 12; ++i) content += "b" + std::to_string(i) + "\n";
  std::string as = content.substr(0, content.find("b0")), bs = content.substr(as.size());
  EditPolicy p;
  p.max_deleted_lines = 20;
  AppliedEdits a = ApplyEdits({{"src/a.ts", content}},
                              {{"src/a.ts", as, "\n", "first half"}, {"src/a.ts", bs, "x\n", "second"}},
                              p);
  ASSERT_EQ(a.accepted.size(), 1u);  // 11 lines
  ASSERT_EQ(a.rejected.size(), 1u);  // 11 + 11 > 20
  EXPECT_NE(a.rejected[0].reason.find("delete 22 lines"), std::string::npos) << a.rejected[0].reason;
  EXPECT_EQ(NetDeletedLines("a\nb\n", "c\n"), 1);
  EXPECT_EQ(NetDeletedLines("a", "a\nb\nc"), -2);
}

activities::GetEnvFn EnvOf(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(EditPolicyTest, SettingsFromTheEnvironment) {
  Result<EditPolicy> d = EditPolicyFromEnv(EnvOf({}));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->path_prefixes, EditPolicy{}.path_prefixes);
  Result<EditPolicy> p = EditPolicyFromEnv(EnvOf({{"SLIPWAY_AUTOFIX_PATHS", "src, web/app/"},
                                                  {"SLIPWAY_AUTOFIX_EXTENSIONS", ".ts,.vue"},
                                                  {"SLIPWAY_AUTOFIX_MAX_DELETED_LINES", "5"}}));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->path_prefixes, (std::vector<std::string>{"src/", "web/app/"}));
  EXPECT_EQ(p->extensions, (std::vector<std::string>{".ts", ".vue"}));
  EXPECT_EQ(p->max_deleted_lines, 5u);
  EXPECT_TRUE(Allowed("web/app/x.vue", *p));
  EXPECT_FALSE(Allowed("app/x.ts", *p));
  for (const auto& [var, value] :
       std::map<std::string, std::string>{{"SLIPWAY_AUTOFIX_PATHS", "/etc"},
                                          {"SLIPWAY_AUTOFIX_EXTENSIONS", "ts"},
                                          {"SLIPWAY_AUTOFIX_MAX_DELETED_LINES", "-1"}}) {
    Status s = EditPolicyFromEnv(EnvOf({{var, value}})).status();
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << var;
    EXPECT_EQ(s.field(), var);
  }
  EXPECT_FALSE(EditPolicyFromEnv(EnvOf({{"SLIPWAY_AUTOFIX_PATHS", "src/../.."}})).ok());
}

}  // namespace
}  // namespace slipway::activities
