// The Autofixer under the edit policy and answering through a tool, against the emulator: the
// model is asked only about source files, its forbidden edits are refused with their reasons
// while the allowed fix still lands, and its answer is read from a tool_use block or from text.
#include <gtest/gtest.h>

#include "activities/autofix.h"
#include "activities/autofix_fixture.h"

namespace slipway::activities {
namespace {

using nlohmann::json;
using testing::AutofixTest;
using testing::ScriptedModelHttp;
using testing::ToolUseBlock;
using testing::TscError;

const build::BuildError kTypeError =
    TscError("src/render.ts", 18, 9, "TS2322", "Type 'number' is not assignable to type 'string'.");
const build::BuildError kLockfileError = {
    "npm", "package.json", 0, 0, "EUSAGE",
    "`npm ci` can only install packages when your package.json and package-lock.json are in sync. "
    "Missing: left-pad@1.3.0 from lock file"};

const json kFix = {{"file", "src/render.ts"},
                   {"old_text", "  const title: string = site.pages.length;"},
                   {"new_text", "  const title: string = String(site.pages.length);"},
                   {"reason", "a number was assigned where a string is declared"}};

int MessagesAsked(const emulator::RequestLog& log) {
  int n = 0;
  for (const emulator::LogEntry& e : log.Entries()) n += e.path == "/v1/messages";
  return n;
}

// The attack: npm names package.json, the model used to be sent it and asked to fix it.
TEST_F(AutofixTest, ErrorInPackageJsonGoesToAHumanWithoutAskingTheModel) {
  StartWithVariant("type-error");
  Result<AutofixResult> r = fixer_->Run(Request({kLockfileError}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->committed);
  EXPECT_EQ(MessagesAsked(emu_->log()), 0);  // no /v1/messages request at all
  EXPECT_TRUE(r->files_sent.empty());
  ASSERT_EQ(r->errors_for_human.size(), 1u);
  EXPECT_EQ(r->errors_for_human[0], kLockfileError);
  ASSERT_EQ(r->files_skipped.size(), 1u);
  EXPECT_EQ(r->files_skipped[0].file, "package.json");
  EXPECT_NE(r->files_skipped[0].reason.find("edit policy: package.json is a package manifest"),
            std::string::npos)
      << r->files_skipped[0].reason;
  EXPECT_EQ(r->reason,
            "the errors are in files the model may not edit (package.json): they are left to a "
            "human and the model was not asked");
  EXPECT_TRUE(r->reply_format.empty());
  EXPECT_EQ(ToJson(*r)["errors_for_human"][0]["file"], "package.json");
}

// Errors in source files are still fixed; the manifest's error is neither sent nor shown.
TEST_F(AutofixTest, SourceErrorsAreFixedWhileTheManifestErrorIsLeftToAHuman) {
  StartWithVariant("type-error");
  ScriptedModelHttp http(http_, json::array({ToolUseBlock(json::array({kFix}))}), "tool_use");
  AnthropicClient llm(http, Config().anthropic);
  Result<AutofixResult> r = Autofixer(*gh_, llm).Run(Request({kLockfileError, kTypeError}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->committed) << r->reason;
  EXPECT_EQ(r->files_sent, std::vector<std::string>{"src/render.ts"});
  EXPECT_EQ(r->errors_for_human, std::vector<build::BuildError>{kLockfileError});
  ASSERT_EQ(http.requests.size(), 1u);
  std::string prompt = http.requests[0]["messages"][0]["content"];
  EXPECT_EQ(prompt.find("package.json"), std::string::npos) << prompt;
  EXPECT_NE(prompt.find("src/render.ts(18,9): error TS2322"), std::string::npos);
  EXPECT_NE(Read("src/render.ts").find("String(site.pages.length)"), std::string::npos);
}

// The model asks for every forbidden edit at once, and the real fix: each forbidden one is in
// `rejected` with its reason, the fix is committed alone.
TEST_F(AutofixTest, ForbiddenEditsAreRefusedWithTheirReasonsAndTheFixLands) {
  StartWithVariant("type-error");
  json edits = json::array({
      {{"file", "package.json"}, {"old_text", "\"scripts\": {"},
       {"new_text", "\"scripts\": {\"postinstall\": \"node x.js\","}, {"reason", "drop dep"}},
      {{"file", "package-lock.json"}, {"old_text", "a"}, {"new_text", "b"}},
      {{"file", ".npmrc"}, {"old_text", "a"}, {"new_text", "b"}},
      {{"file", "next.config.js"}, {"old_text", "a"}, {"new_text", "b"}},
      {{"file", "tsconfig.json"}, {"old_text", "\"strict\": true"}, {"new_text", "\"strict\": false"}},
      {{"file", ".eslintrc.json"}, {"old_text", "a"}, {"new_text", "b"}},
      {{"file", "vercel.json"}, {"old_text", "a"}, {"new_text", "b"}},
      {{"file", ".github/workflows/ci.yml"}, {"old_text", "a"}, {"new_text", "b"}},
      {{"file", "scripts/postinstall.js"}, {"old_text", "a"}, {"new_text", "b"}},
      {{"file", "src/render.ts"}, {"old_text", "// Renders one page"},
       {"new_text", "// @ts-nocheck\n// Renders one page"}},
      {{"file", "src/render.ts"}, {"old_text", "  const title: string = site.pages.length;"},
       {"new_text", "  // @ts-ignore\n  const title: string = site.pages.length;"}},
      {{"file", "src/render.ts"}, {"old_text", "function renderNav"},
       {"new_text", "// eslint-disable-next-line\nfunction renderNav"}},
      kFix,
  });
  ScriptedModelHttp http(http_, json::array({ToolUseBlock(edits)}), "tool_use");
  AnthropicClient llm(http, Config().anthropic);
  Result<AutofixResult> r = Autofixer(*gh_, llm).Run(Request({kTypeError}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->committed) << r->reason;
  EXPECT_EQ(r->reply_format, "tool_use");
  ASSERT_EQ(r->accepted.size(), 1u);
  EXPECT_EQ(r->accepted[0].new_text, kFix["new_text"]);
  const std::vector<std::string> why = {
      "package.json is a package manifest or lockfile",
      "package-lock.json is a package manifest or lockfile",
      ".npmrc is a hidden file",
      "next.config.js is a build, type-check or lint configuration",
      "tsconfig.json is a build, type-check or lint configuration",
      ".eslintrc.json is a hidden file",
      "vercel.json is a deployment configuration",
      ".github/workflows/ci.yml is under the hidden folder .github/",
      "scripts/postinstall.js is under scripts/",
      "new_text adds @ts-nocheck",
      "new_text adds @ts-ignore",
      "new_text adds eslint-disable",
  };
  ASSERT_EQ(r->rejected.size(), why.size());
  for (size_t i = 0; i < why.size(); ++i) {
    EXPECT_EQ(r->rejected[i].edit.file, edits[i]["file"]);
    EXPECT_NE(r->rejected[i].reason.find(why[i]), std::string::npos) << r->rejected[i].reason;
  }
  std::string fixed = Read("src/render.ts");
  EXPECT_NE(fixed.find("String(site.pages.length)"), std::string::npos);
  EXPECT_EQ(fixed.find("@ts-"), std::string::npos);
  EXPECT_EQ(fixed.find("eslint"), std::string::npos);
  EXPECT_EQ(Read("package.json").find("postinstall"), std::string::npos);
  // The refusals are in the step's JSON (history) with their reasons.
  json out = ToJson(*r);
  EXPECT_EQ(out["rejected"].size(), why.size());
  EXPECT_NE(out["rejected"][0]["reason"].get<std::string>().find("edit policy"), std::string::npos);
}

TEST_F(AutofixTest, EmptyingTheFileOrDeletingTooMuchIsRefused) {
  StartWithVariant("type-error");
  std::string whole = Read("src/render.ts");
  std::string body = whole.substr(whole.find('\n') + 1);  // all but the first line
  json edits = json::array({{{"file", "src/render.ts"}, {"old_text", whole}, {"new_text", ""}},
                            {{"file", "src/render.ts"}, {"old_text", body}, {"new_text", "\n"}},
                            kFix});
  ScriptedModelHttp http(http_, json::array({ToolUseBlock(edits)}), "tool_use");
  AnthropicClient llm(http, Config().anthropic);
  Result<AutofixResult> r = Autofixer(*gh_, llm).Run(Request({kTypeError}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->committed);
  ASSERT_EQ(r->rejected.size(), 2u);
  EXPECT_EQ(r->rejected[0].reason, "edit policy: the edit would leave src/render.ts empty");
  EXPECT_NE(r->rejected[1].reason.find("lines (net) from src/render.ts, more than the 20 allowed"),
            std::string::npos)
      << r->rejected[1].reason;
}

// The request asks for the edit tool and forces it.
TEST_F(AutofixTest, AsksForTheEditToolAndForcesIt) {
  StartWithVariant("type-error");
  ScriptedModelHttp http(http_, json::array({ToolUseBlock(json::array({kFix}))}), "tool_use");
  AnthropicClient llm(http, Config().anthropic);
  ASSERT_TRUE(Autofixer(*gh_, llm).Run(Request({kTypeError})).ok());
  ASSERT_EQ(http.requests.size(), 1u);
  const json& body = http.requests[0];
  ASSERT_EQ(body["tools"].size(), 1u);
  EXPECT_EQ(body["tools"][0]["name"], "propose_edits");
  EXPECT_EQ(body["tools"][0]["input_schema"]["type"], "object");
  EXPECT_EQ(body["tools"][0]["input_schema"]["required"], json::array({"edits"}));
  EXPECT_EQ(body["tools"][0]["input_schema"]["properties"]["edits"]["items"]["required"],
            json::array({"file", "old_text", "new_text"}));
  EXPECT_EQ(body["tool_choice"], (json{{"type", "tool"}, {"name", "propose_edits"}}));
}

// Sonnet 5.5 rejects a forced tool: the request says "auto", and the emulator's answer (thinking,
// text, then the tool call) is read from its tool_use block.
TEST_F(AutofixTest, ModelThatRejectsForcedToolsGetsAutoAndStillCallsTheTool) {
  StartWithVariant("type-error");
  AnthropicConfig c = Config().anthropic;
  c.model = "claude-sonnet-5-5";
  AnthropicClient llm(http_, c);
  Result<AutofixResult> r = Autofixer(*gh_, llm).Run(Request({kTypeError}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->committed) << r->reason;
  EXPECT_EQ(r->reply_format, "tool_use");
  EXPECT_EQ(r->llm.stop_reason, "tool_use");
  EXPECT_NE(r->reply.find("I will propose the edits with the tool."), std::string::npos);
}

// A reply in text in the shape main rejected ("holds no JSON list of edits").
TEST_F(AutofixTest, TextReplyWithSummaryFixesAndEditsLands) {
  StartWithVariant("type-error");
  json reply = {{"summary", "Converted the page count to a string."},
                {"fixes", {{{"file", "src/render.ts"}, {"description", "title must be a string"}}}},
                {"edits", {kFix}}};
  ScriptedModelHttp http(http_, "Here is the fix:\n```json\n" + reply.dump(2) + "\n```\n");
  AnthropicClient llm(http, Config().anthropic);
  Result<AutofixResult> r = Autofixer(*gh_, llm).Run(Request({kTypeError}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->committed) << r->reason;
  EXPECT_EQ(r->reply_format, "text");
  EXPECT_TRUE(r->rejected.empty());
}

TEST_F(AutofixTest, TextReplyWithFixesAndChangesLands) {
  StartWithVariant("type-error");
  json reply = {{"fixes",
                 {{{"file", "src/render.ts"},
                   {"changes",
                    {{{"oldCode", kFix["old_text"]}, {"newCode", kFix["new_text"]},
                      {"explanation", "title is a string"}}}}}}}};
  ScriptedModelHttp http(http_, reply.dump());
  AnthropicClient llm(http, Config().anthropic);
  Result<AutofixResult> r = Autofixer(*gh_, llm).Run(Request({kTypeError}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->committed) << r->reason;
  ASSERT_EQ(r->accepted.size(), 1u);
  EXPECT_EQ(r->accepted[0].reason, "title is a string");
}

}  // namespace
}  // namespace slipway::activities
