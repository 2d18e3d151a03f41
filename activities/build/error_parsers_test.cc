// activities/build/error_parsers_test.cc: each output form of build-output-formats.md, with the
// decoys the reference warns about.
#include "activities/build/error_parsers.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace slipway::activities::build {
namespace {

const ParseOptions kOpts{"/home/u/site", 200};

BuildError Err(std::string tool, std::string file, int line, int col, std::string code,
               std::string message) {
  return BuildError{std::move(tool), std::move(file), line, col, std::move(code),
                    std::move(message)};
}

}  // namespace

// gtest prints mismatching records with this (found by ADL in BuildError's namespace).
void PrintTo(const BuildError& e, std::ostream* os) {
  *os << e.tool << " " << e.file << ":" << e.line << ":" << e.column << " [" << e.code << "] "
      << e.message;
}

namespace {

TEST(ErrorParsersTest, TscPlainFormat) {
  const std::string out =
      "\n> site@1.0.0 build\n> tsc -p tsconfig.json && node dist/build.js\n\n"
      "src/render.ts(18,9): error TS2322: Type 'number' is not assignable to type 'string'.\n"
      "src/build.ts(16,24): error TS2304: Cannot find name 'pageCount'.\n"
      "npm error Lifecycle script `build` failed with error:\n"
      "npm error code 2\n";
  std::vector<BuildError> errors = ParseBuildOutput(out, kOpts);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0], Err("tsc", "src/render.ts", 18, 9, "TS2322",
                           "Type 'number' is not assignable to type 'string'."));
  EXPECT_EQ(errors[1], Err("tsc", "src/build.ts", 16, 24, "TS2304",
                           "Cannot find name 'pageCount'."));
}

TEST(ErrorParsersTest, TscKeepsIndentedElaboration) {
  const std::string out =
      "src/app/page.tsx(7,9): error TS2322: Type '{ title: number; }' is not assignable to type "
      "'Props'.\n"
      "  Types of property 'title' are incompatible.\n"
      "    Type 'number' is not assignable to type 'string'.\n"
      "src/lib/a.ts(1,1): error TS1005: ';' expected.\n";
  std::vector<BuildError> errors = ParseBuildOutput(out, kOpts);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].message,
            "Type '{ title: number; }' is not assignable to type 'Props'.\n"
            "Types of property 'title' are incompatible.\n"
            "Type 'number' is not assignable to type 'string'.");
  EXPECT_EQ(errors[1].line, 1);
}

TEST(ErrorParsersTest, TscPrettyFormatWithColours) {
  const std::string out =
      "\x1b[96msrc/index.ts\x1b[0m:\x1b[93m3\x1b[0m:\x1b[93m7\x1b[0m - \x1b[91merror\x1b[0m"
      "\x1b[90m TS2322: \x1b[0mType 'number' is not assignable to type 'string'.\n\n"
      "\x1b[7m3\x1b[0m const x: string = 1;\n"
      "\x1b[7m \x1b[0m \x1b[91m      ~\x1b[0m\n\n\n"
      "Found 1 error in src/index.ts\x1b[90m:3\x1b[0m\n";
  std::vector<BuildError> errors = ParseBuildOutput(out, kOpts);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], Err("tsc", "src/index.ts", 3, 7, "TS2322",
                           "Type 'number' is not assignable to type 'string'."));
}

TEST(ErrorParsersTest, TscGlobalErrorHasNoFile) {
  std::vector<BuildError> errors =
      ParseBuildOutput("error TS18003: No inputs were found in config file 'tsconfig.json'.\n", kOpts);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].file, "");
  EXPECT_EQ(errors[0].code, "TS18003");
}

TEST(ErrorParsersTest, NextTypeErrorBlock) {
  const std::string out =
      "   \x1b[32m\xe2\x9c\x93\x1b[39m Compiled successfully in 4.2s\n"
      "   Linting and checking validity of types ...\n"
      "Failed to compile.\n\n"
      "\x1b[36m./src/app/page.tsx\x1b[39m:\x1b[33m12\x1b[39m:\x1b[33m7\x1b[39m\n"
      "\x1b[31m\x1b[1mType error\x1b[22m\x1b[39m: Type 'number' is not assignable to type "
      "'string'.\n\n"
      "\x1b[0m \x1b[90m 10 |\x1b[39m \x1b[36mexport\x1b[39m \x1b[36mdefault\x1b[39m ...\n"
      "\x1b[0m\x1b[31m\x1b[1m>\x1b[22m\x1b[39m\x1b[90m 12 |\x1b[39m   \x1b[36mconst\x1b[39m title\n"
      "Next.js build worker exited with code: 1 and signal: null\n";
  std::vector<BuildError> errors = ParseBuildOutput(out, kOpts);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], Err("next", "src/app/page.tsx", 12, 7, "",
                           "Type 'number' is not assignable to type 'string'."));
}

TEST(ErrorParsersTest, NextPageTypeErrorWithoutLine) {
  const std::string out =
      "src/app/blog/[slug]/page.tsx\n"
      "Type error: Type 'Props' does not satisfy the constraint 'PageProps'.\n"
      "  Types of property 'params' are incompatible.\n";
  std::vector<BuildError> errors = ParseBuildOutput(out, kOpts);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].file, "src/app/blog/[slug]/page.tsx");
  EXPECT_EQ(errors[0].line, 0);
}

TEST(ErrorParsersTest, TscAndNextReportOfTheSameErrorMergeKeepingTheCode) {
  const std::string tsc =
      "src/app/page.tsx(12,7): error TS2322: Type 'number' is not assignable to type 'string'.\n";
  const std::string next =
      "./src/app/page.tsx:12:7\nType error: Type 'number' is not assignable to type 'string'.\n";
  std::vector<BuildError> all = ParseBuildOutput(next, kOpts);
  for (BuildError& e : ParseBuildOutput(tsc, kOpts)) all.push_back(e);
  std::vector<BuildError> merged = DeduplicateErrors(all, 200);
  ASSERT_EQ(merged.size(), 1u);
  EXPECT_EQ(merged[0].code, "TS2322");
}

TEST(ErrorParsersTest, EslintStylishWithAbsolutePathsSkipsWarnings) {
  const std::string out =
      "\n/home/u/site/src/app/page.tsx\n"
      "   3:7   error    'unused' is assigned a value but never used  "
      "@typescript-eslint/no-unused-vars\n"
      "  10:1   warning  Unexpected console statement                 no-console\n"
      "  12:4   error    Parsing error: ';' expected\n\n"
      "/home/u/site/src/lib/util.ts\n"
      "  1:10  error  'x' is defined but never used  no-unused-vars\n\n"
      "\xe2\x9c\x96 4 problems (3 errors, 1 warning)\n";
  std::vector<BuildError> errors = ParseBuildOutput(out, kOpts);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0], Err("eslint", "src/app/page.tsx", 3, 7, "@typescript-eslint/no-unused-vars",
                           "'unused' is assigned a value but never used"));
  // ESLint's parse-error column is one left of tsc's: shifted to agree.
  EXPECT_EQ(errors[1], Err("eslint", "src/app/page.tsx", 12, 5, "", "Parsing error: ';' expected"));
  EXPECT_EQ(errors[2], Err("eslint", "src/lib/util.ts", 1, 10, "no-unused-vars",
                           "'x' is defined but never used"));
}

TEST(ErrorParsersTest, EslintJsonAfterNpmBanner) {
  const std::string out =
      "\n> site@0.1.0 lint\n> eslint --format json .\n\n"
      R"([{"filePath":"/home/u/site/src/app/page.tsx","messages":[)"
      R"({"ruleId":"no-unused-vars","severity":2,"message":"'a' is defined but never used.","line":4,"column":9,"nodeType":"Identifier","endLine":4,"endColumn":10},)"
      R"({"ruleId":"no-console","severity":1,"message":"Unexpected console statement.","line":5,"column":3},)"
      R"({"ruleId":null,"fatal":true,"severity":2,"message":"Parsing error: ']' expected.","line":9,"column":14}],)"
      R"("suppressedMessages":[],"errorCount":2,"warningCount":1,"source":"const a = [1, 2;\n"},)"
      R"({"filePath":"/home/u/site/src/ok.ts","messages":[],"errorCount":0}])"
      "\n";
  std::vector<BuildError> errors = ParseBuildOutput(out, kOpts);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0], Err("eslint", "src/app/page.tsx", 4, 9, "no-unused-vars",
                           "'a' is defined but never used."));
  EXPECT_EQ(errors[1], Err("eslint", "src/app/page.tsx", 9, 15, "", "Parsing error: ']' expected."));
}

TEST(ErrorParsersTest, NextRunningEslintDropsTheAddedPeriod) {
  const std::string out =
      "Failed to compile.\n\n"
      "./src/app/page.tsx\n"
      "3:7  Error: 'unused' is assigned a value but never used.  "
      "@typescript-eslint/no-unused-vars\n"
      "8:1  Warning: Unexpected console statement.  no-console\n\n"
      "info  - Need to disable some ESLint rules? Learn more here: "
      "https://nextjs.org/docs/app/api-reference/config/eslint#disabling-rules\n";
  std::vector<BuildError> errors = ParseBuildOutput(out, kOpts);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], Err("eslint", "src/app/page.tsx", 3, 7, "@typescript-eslint/no-unused-vars",
                           "'unused' is assigned a value but never used"));
}

TEST(ErrorParsersTest, SwcFrameTakesTheColumnFromTheCaretAndIgnoresBacktraceDecoys) {
  const std::string out =
      "Failed to compile.\n\n"
      "./src/app/page.tsx\n"
      "Error:   \x1b[31mx\x1b[0m Expected ',', got 'oops'\n"
      "   ,-[\x1b[36;1;4m/home/u/site/src/app/page.tsx\x1b[0m:3:1]\n"
      " \x1b[2m1\x1b[0m | export default function Home() {\n"
      " \x1b[2m2\x1b[0m |   return (\n"
      " \x1b[2m3\x1b[0m |     <div>hello</div> oops\n"
      "   : \x1b[31;1m                     ^^^^\x1b[0m\n"
      " \x1b[2m4\x1b[0m |   );\n"
      "   `----\n\n"
      "Caused by:\n"
      "    Syntax Error\n\n"
      "Import trace for requested module:\n"
      "./src/app/page.tsx\n\n"
      "thread '<unnamed>' panicked at crates/swc/src/lib.rs:122:5:\n"
      "   0: file.c:122:5\n"
      "   1: __libc_start_main at ./csu/../csu/libc-start.c:360:3\n";
  std::vector<BuildError> errors = ParseBuildOutput(out, kOpts);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], Err("swc", "src/app/page.tsx", 3, 22, "SyntaxError",
                           "Expected ',', got 'oops'"));
}

TEST(ErrorParsersTest, NodeSyntaxErrorUsesHeaderAndCaret) {
  const std::string out =
      "/home/u/site/scripts/build.js:12\n"
      "  const pages = [;\n"
      "                 ^\n\n"
      "SyntaxError: Unexpected token ';'\n"
      "    at internalCompileFunction (node:internal/vm:76:18)\n"
      "    at wrapSafe (node:internal/modules/cjs/loader:1283:20)\n\n"
      "Node.js v20.20.2\n";
  std::vector<BuildError> errors = ParseBuildOutput(out, kOpts);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], Err("node", "scripts/build.js", 12, 18, "SyntaxError",
                           "Unexpected token ';'"));
}

TEST(ErrorParsersTest, BabelAndWebpackSyntaxErrors) {
  const std::string out =
      "Module build failed (from ./node_modules/babel-loader/lib/index.js):\n"
      "SyntaxError: /home/u/site/src/index.js: Unexpected token, expected \",\" (3:10)\n\n"
      "./src/legacy.js\n"
      "Module parse failed: Unexpected token (7:4)\n"
      "You may need an appropriate loader to handle this file type.\n";
  std::vector<BuildError> errors = ParseBuildOutput(out, kOpts);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0], Err("webpack", "src/index.js", 3, 11, "SyntaxError",
                           "Unexpected token, expected \",\""));
  EXPECT_EQ(errors[1], Err("webpack", "src/legacy.js", 7, 5, "SyntaxError",
                           "Unexpected token (7:4)"));
}

TEST(ErrorParsersTest, JsonImportOffsetBecomesALineWhenTheFileIsReadable) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("slipway-parse-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "data.json") << "{\n  \"a\": 1,\n  \"b\": }\n";
  ParseOptions opts{dir.string(), 200};
  const std::string out =
      "./data.json\n"
      "Module parse failed: Unexpected token } in JSON at position 19 while parsing near '...'\n"
      "    at JSON.parse (<anonymous>)\n"
      "    at /home/u/site/node_modules/next/dist/compiled/webpack/bundle5.js:29:1049695\n";
  std::vector<BuildError> errors = ParseBuildOutput(out, opts);
  fs::remove_all(dir);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].file, "data.json");
  EXPECT_EQ(errors[0].line, 3);
  EXPECT_EQ(errors[0].column, 8);
}

TEST(ErrorParsersTest, ModuleNotFoundTakesFileFromPrecedingLineNotImportTrace) {
  const std::string out =
      "Failed to compile.\n\n"
      "./src/app/page.tsx\n"
      "Module not found: Can't resolve './missing'\n\n"
      "https://nextjs.org/docs/messages/module-not-found\n\n"
      "Import trace for requested module:\n"
      "./src/app/layout.tsx\n\n"
      "./src/app/globals.css:2:0\n"
      "Module not found: Error: Can't resolve './fonts.css' in '/home/u/site/src/app'\n";
  std::vector<BuildError> errors = ParseBuildOutput(out, kOpts);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0], Err("webpack", "src/app/page.tsx", 0, 0, "MODULE_NOT_FOUND",
                           "Can't resolve './missing'"));
  EXPECT_EQ(errors[1], Err("webpack", "src/app/globals.css", 2, 0, "MODULE_NOT_FOUND",
                           "Can't resolve './fonts.css'"));
}

TEST(ErrorParsersTest, PrerenderErrorKeepsRouteAndMessageOnly) {
  const std::string out =
      "Error occurred prerendering page \"/about\". Read more: "
      "https://nextjs.org/docs/messages/prerender-error\n"
      "Error: boom\n"
      "    at c (/tmp/x/.next/server/app/about/page.js:1:2334)\n"
      "Export encountered an error on /about/page: /about, exiting the build.\n";
  std::vector<BuildError> errors = ParseBuildOutput(out, kOpts);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], Err("next", "", 0, 0, "PRERENDER",
                           "Error occurred prerendering page \"/about\": Error: boom"));
}

TEST(ErrorParsersTest, DecoyLinesWithTheWordErrorAreIgnored) {
  const std::string out =
      "prebuild: checking error pages... error: none found (this is fine)\n"
      "npm error Lifecycle script `build` failed with error:\n"
      "npm error code 1\n"
      "    at Object.<anonymous> (/home/u/site/node_modules/x/index.js:10:5)\n"
      "src/errors.ts is fine\n";
  EXPECT_TRUE(ParseBuildOutput(out, kOpts).empty());
}

TEST(ErrorParsersTest, DuplicatesAreDroppedAndTheCapHolds) {
  std::string out;
  for (int i = 0; i < 3; ++i) out += "src/a.ts(1,1): error TS1005: ';' expected.\n";
  for (int i = 1; i <= 300; ++i) {
    out += "src/b.ts(" + std::to_string(i) + ",1): error TS2304: Cannot find name 'x'.\n";
  }
  std::vector<BuildError> errors = ParseBuildOutput(out, ParseOptions{"/p", 50});
  ASSERT_EQ(errors.size(), 50u);
  EXPECT_EQ(errors[0].file, "src/a.ts");
  EXPECT_EQ(errors[1].line, 1);
  EXPECT_EQ(errors[1].file, "src/b.ts");
}

TEST(ErrorParsersTest, NormalizePath) {
  EXPECT_EQ(NormalizePath("./src/a.ts", "/p"), "src/a.ts");
  EXPECT_EQ(NormalizePath("/p/src/a.ts", "/p"), "src/a.ts");
  EXPECT_EQ(NormalizePath("/p/src/a.ts", "/p/"), "src/a.ts");
  EXPECT_EQ(NormalizePath("file:///p/src/../lib/a.ts", "/p"), "lib/a.ts");
  EXPECT_EQ(NormalizePath("/elsewhere/a.ts", "/p"), "/elsewhere/a.ts");
  EXPECT_EQ(NormalizePath("/pp/a.ts", "/p"), "/pp/a.ts");
}

TEST(ErrorParsersTest, HugeLinesDoNotBreakTheParser) {
  std::string out(3 << 20, 'x');
  out += "\nsrc/a.ts(2,3): error TS2304: Cannot find name 'y'.\n";
  std::vector<BuildError> errors = ParseBuildOutput(out, kOpts);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 2);
}

// Found by tests/fuzz/fuzz_build_output: the output is the tenant's, and a line or column
// beyond int made std::stoi throw out of the parser.
TEST(ErrorParsersTest, HugeLineNumbersReadAsNone) {
  const std::string out =
      "SyntaxError: ./src/c.js: Unexpected token (2147483647:99999999999)\n"
      "src/a.ts(99999999999,1): error TS2322: x\n"
      "[{\"filePath\":\"/home/u/site/src/d.ts\",\"messages\":[{\"severity\":2,"
      "\"message\":\"Parsing error: x\",\"fatal\":true,\"line\":1,\"column\":2147483647}]}]\n";
  std::vector<BuildError> errors = ParseBuildOutput(out, kOpts);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].line, 0);
  EXPECT_EQ(errors[0].column, 1);
  EXPECT_EQ(errors[1].line, 0);
  EXPECT_EQ(errors[2].column, 0);
  errors = ParseBuildOutput("  x msg\n   ,-[/home/u/site/src/b.ts:99999999999:1]\n"
                            " 99999999999 | a\n   :  ^\n   `----\n", kOpts);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 0);
}

// Found by tests/fuzz/fuzz_build_output: two std::regex calls ran over lines of any length
// (the code lines of an SWC frame, node's header line above a caret) and libstdc++'s
// recursion overflowed the stack on a 100 KB line.
TEST(ErrorParsersTest, LongLinesAroundSwcFramesAndNodeCaretsDoNotOverflow) {
  const std::string swc = "  x msg\n   ,-[/home/u/site/src/a.ts:3:1]\n" +
                          std::string(1 << 20, ' ') + "\n";
  std::vector<BuildError> errors = ParseBuildOutput(swc, kOpts);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].file, "src/a.ts");
  const std::string node = "/" + std::string(1 << 20, 'a') + ":3\nfoo(\n^\nSyntaxError: boom\n";
  errors = ParseBuildOutput(node, kOpts);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].file, "");
  EXPECT_EQ(errors[0].message, "boom");
}

}  // namespace
}  // namespace slipway::activities::build
