#include "activities/autofix.h"

#include <gtest/gtest.h>

#include "activities/autofix_edits.h"
#include "activities/autofix_fixture.h"
#include "engine/base/utf8.h"

namespace slipway::activities {
namespace {

using testing::AutofixTest;
using testing::ScriptedModelHttp;
using testing::TscError;

const build::BuildError kTypeError =
    TscError("src/render.ts", 18, 9, "TS2322", "Type 'number' is not assignable to type 'string'.");
const build::BuildError kMissingName =
    TscError("src/build.ts", 16, 24, "TS2304", "Cannot find name 'pageCount'.");
const build::BuildError kUnfixable =
    TscError("src/build.ts", 4, 31, "TS2307",
             "Cannot find module './sitemap' or its corresponding type declarations.");

TEST_F(AutofixTest, FixesTheTypeErrorInOneCommit) {
  StartWithVariant("type-error");
  Result<AutofixResult> r = fixer_->Run(Request({kTypeError}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->committed);
  ASSERT_EQ(r->accepted.size(), 1u);
  EXPECT_TRUE(r->rejected.empty());
  EXPECT_EQ(r->files_sent, std::vector<std::string>{"src/render.ts"});
  EXPECT_NE(Read("src/render.ts").find("const title: string = String(site.pages.length);"),
            std::string::npos);
  EXPECT_EQ(*gh_->GetBranchHead("site", "main"), r->commit_sha);
  EXPECT_GT(r->llm.input_tokens, 0);
  EXPECT_GT(r->llm.cost_usd, 0);
  EXPECT_FALSE(r->reply.empty());
  EXPECT_EQ(emu_->log().Count("commit", "acme/site"), 1);
  Result<GitCommitInfo> c = gh_->GetCommit("site", r->commit_sha);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->parents, std::vector<std::string>{head_});
  EXPECT_NE(c->message.find("src/render.ts"), std::string::npos);
  EXPECT_NE(c->message.find("Slipway-Idempotency-Key: wf-1/autofix"), std::string::npos);
}

TEST_F(AutofixTest, FixesTheMissingName) {
  StartWithVariant("missing-name");
  Result<AutofixResult> r = fixer_->Run(Request({kMissingName}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->committed);
  EXPECT_NE(Read("src/build.ts").find("console.log(`Built ${site.pages.length} pages into out/`);"),
            std::string::npos);
  EXPECT_EQ(emu_->log().Count("commit", "acme/site"), 1);
}

TEST_F(AutofixTest, TheBudgetIsAskedRightBeforeTheModelAndPaysItsCost) {
  StartWithVariant("unfixable");
  FakeClock clock;
  LlmBudgetLimits limits;
  limits.tenant_calls_per_minute = 1;
  limits.tenant_usd_per_day = 0;
  LlmBudget budget(limits, &clock);
  AutofixOptions options;
  options.budget = &budget;
  Autofixer fixer(*gh_, *llm_, options);
  // Errors only in files the model may not edit: no call, nothing counted.
  Result<AutofixResult> human =
      fixer.Run(Request({TscError("package.json", 1, 1, "E1", "bad")}, "k0"));
  ASSERT_TRUE(human.ok()) << human.status().ToString();
  EXPECT_EQ(budget.State()["calls_last_minute"]["total"], 0);
  ASSERT_TRUE(fixer.Run(Request({kUnfixable}, "k1")).ok());
  EXPECT_EQ(emu_->log().Count("message"), 1);
  EXPECT_GT(budget.State()["spend_usd"]["by_tenant"]["site"].get<double>(), 0);
  Result<AutofixResult> again = fixer.Run(Request({kUnfixable}, "k2"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), Code::kUnavailable);
  EXPECT_GT(again.status().retry_after_ms().value_or(0), 0);
  EXPECT_EQ(emu_->log().Count("message"), 1) << "the model was not asked over the rate";
}

TEST_F(AutofixTest, UnfixableErrorGetsNoEditsAndAClearReason) {
  StartWithVariant("unfixable");
  Result<AutofixResult> r = fixer_->Run(Request({kUnfixable}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->committed);
  EXPECT_TRUE(r->commit_sha.empty());
  EXPECT_TRUE(r->accepted.empty());
  EXPECT_EQ(r->reason, "the model proposed no edits");
  EXPECT_EQ(r->llm.model, "claude-sonnet-5");
  EXPECT_EQ(emu_->log().Count("commit"), 0);
}

TEST_F(AutofixTest, RepeatOfTheSameAttemptDoesNotCommitOrAskTwice) {
  StartWithVariant("type-error");
  Result<AutofixResult> first = fixer_->Run(Request({kTypeError}));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  Result<AutofixResult> second = fixer_->Run(Request({kTypeError}));
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_TRUE(second->recovered);
  EXPECT_EQ(second->commit_sha, first->commit_sha);
  // The recovered result names the edits the commit holds (the deployment counts its fixes).
  ASSERT_EQ(second->accepted.size(), first->accepted.size());
  ASSERT_FALSE(second->accepted.empty());
  EXPECT_EQ(second->accepted[0].file, first->accepted[0].file);
  EXPECT_EQ(emu_->log().Count("message"), 1);
  // Another key (say, ops resumed the step): the LLM is asked again, but the branch already holds
  // those contents, so there is still one commit.
  Result<AutofixResult> third = fixer_->Run(Request({kTypeError}, "wf-1/autofix/resume-1"));
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_FALSE(third->recovered);
  EXPECT_EQ(third->commit_sha, first->commit_sha);
  EXPECT_EQ(emu_->log().Count("commit", "acme/site"), 1);
}

// The commit message cuts each reason at 120 bytes: with a 4-byte emoji from byte 119 on, a cut
// by bytes split it, dump() threw and the daemon died. The cut is on a character now.
TEST_F(AutofixTest, ReasonWithAnEmojiAtTheCutCommits) {
  StartWithVariant("type-error");
  const std::string emoji = "\xF0\x9F\x9A\x80";
  std::string reason = std::string(119, 'a') + emoji;
  for (int i = 0; i < 200; ++i) reason += emoji;
  nlohmann::json edit = {{"file", "src/render.ts"},
                         {"old_text", "  const title: string = site.pages.length;"},
                         {"new_text", "  const title: string = String(site.pages.length);"},
                         {"reason", reason}};
  ScriptedModelHttp http(http_, nlohmann::json::array({edit}).dump());
  AnthropicClient llm(http, Config().anthropic);
  Autofixer fixer(*gh_, llm);
  Result<AutofixResult> r = fixer.Run(Request({kTypeError}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->committed) << r->reason;
  Result<GitCommitInfo> c = gh_->GetCommit("site", r->commit_sha);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(c->message.find("- src/render.ts: " + std::string(119, 'a') + "...\n"),
            std::string::npos);
  EXPECT_TRUE(IsValidUtf8(c->message));
  EXPECT_NO_THROW(ToJson(*r).dump());
  EXPECT_EQ(r->accepted.at(0).reason, reason);  // kept whole in the result
}

TEST_F(AutofixTest, FilesThatAreNotUtf8AreNotSent) {
  StartWithVariant("type-error", "src/render.ts", std::string("// \xff\xfe\n"));
  Result<AutofixResult> r = fixer_->Run(Request({kTypeError}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->committed);
  ASSERT_EQ(r->files_skipped.size(), 1u);
  EXPECT_EQ(r->files_skipped[0].reason, "not UTF-8 text");
  EXPECT_EQ(emu_->log().Count("message"), 0);
}

TEST_F(AutofixTest, EditWhoseOldTextIsAmbiguousIsRejected) {
  // The offending line twice: the model's edit (old_text = that line) cannot be placed.
  StartWithVariant("type-error", "src/render.ts",
                   "\nexport function renderTitle(site: SiteData): string {\n"
                   "  const title: string = site.pages.length;\n  return title;\n}\n");
  Result<AutofixResult> r = fixer_->Run(Request({kTypeError}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->committed);
  ASSERT_EQ(r->rejected.size(), 1u);
  EXPECT_EQ(r->rejected[0].reason, "old_text occurs more than once in src/render.ts (ambiguous)");
  EXPECT_EQ(r->rejected[0].edit.file, "src/render.ts");
  EXPECT_EQ(r->reason, "none of the model's edits could be applied");
  EXPECT_EQ(emu_->log().Count("commit"), 0);
}

TEST_F(AutofixTest, BranchMovedSinceTheBuildIsConflict) {
  StartWithVariant("type-error");
  ASSERT_TRUE(gh_->PutFile({"site", "websiteData.json", "main", "{}", "edit", {}}).ok());
  Result<AutofixResult> r = fixer_->Run(Request({kTypeError}));
  EXPECT_EQ(r.status().code(), Code::kConflict) << r.status().ToString();
  EXPECT_EQ(emu_->log().Count("commit", "acme/site"), 1);  // only the PutFile
}

TEST_F(AutofixTest, UnsafeAndMissingFilesAreNotSent) {
  StartWithVariant("type-error");
  Result<AutofixResult> r = fixer_->Run(Request(
      {TscError("../etc/passwd", 1, 1, "TS1", "x"), TscError("src/gone.ts", 1, 1, "TS1", "x")}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->files_sent.empty());
  ASSERT_EQ(r->files_skipped.size(), 2u);
  EXPECT_EQ(emu_->log().Count("message"), 0);
  EXPECT_FALSE(r->reason.empty());
}

TEST_F(AutofixTest, FilesOverTheSizeBudgetAreNotSent) {
  StartWithVariant("type-error");
  AutofixOptions small;
  small.max_file_bytes = 100;
  Result<AutofixResult> r = Autofixer(*gh_, *llm_, small).Run(Request({kTypeError}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->files_skipped.size(), 1u);
  EXPECT_EQ(r->files_skipped[0].reason, "larger than 100 bytes");
  EXPECT_EQ(emu_->log().Count("message"), 0);
  EXPECT_EQ(r->reason, "no file named by the errors could be sent to the model");
}

TEST_F(AutofixTest, LlmOverloadIsRetryable) {
  StartWithVariant("type-error");
  Faults(R"({"rules":[{"path":"/v1/messages","status":529,"retry_after_s":2}]})");
  Result<AutofixResult> r = fixer_->Run(Request({kTypeError}));
  EXPECT_TRUE(r.status().retryable()) << r.status().ToString();
  EXPECT_EQ(r.status().retry_after_ms(), 2000);
}

std::vector<SentFile> Files() { return {{"src/a.ts", "let x = 1;\nlet y = 1;\nlet z = 2;\n"}}; }

TEST(AutofixEditsTest, RejectsUnsentFilesAndAmbiguousOrMissingText) {
  AppliedEdits a = ApplyEdits(Files(),
                              {{"src/b.ts", "let", "const", "unsent"},
                               {"src/a.ts", "= 1;", "= 3;", "ambiguous"},
                               {"src/a.ts", "let w", "let v", "missing"},
                               {"src/a.ts", "", "x", "empty"},
                               {"src/a.ts", "let z = 2;", "let z = 3;", "good"}},
                              EditPolicy{});
  ASSERT_EQ(a.accepted.size(), 1u);
  EXPECT_EQ(a.accepted[0].reason, "good");
  ASSERT_EQ(a.rejected.size(), 4u);
  EXPECT_EQ(a.rejected[0].reason, "file src/b.ts was not sent to the model");
  EXPECT_EQ(a.rejected[1].reason, "old_text occurs more than once in src/a.ts (ambiguous)");
  EXPECT_EQ(a.rejected[2].reason, "old_text does not occur in src/a.ts");
  EXPECT_EQ(a.rejected[3].reason, "old_text is empty");
  EXPECT_EQ(a.files.at("src/a.ts"), "let x = 1;\nlet y = 1;\nlet z = 3;\n");
}

TEST(AutofixEditsTest, LaterEditsSeeEarlierOnes) {
  AppliedEdits a = ApplyEdits(Files(),
                              {{"src/a.ts", "let x = 1;", "let x = 5;", ""},
                               {"src/a.ts", "= 1;", "= 6;", "now unique"}},
                              EditPolicy{});
  EXPECT_EQ(a.accepted.size(), 2u);
  EXPECT_EQ(a.files.at("src/a.ts"), "let x = 5;\nlet y = 6;\nlet z = 2;\n");
}

TEST(AutofixEditsTest, PromptHasTscLinesAndFileBlocks) {
  std::string p = BuildAutofixPrompt({kTypeError}, {{"src/render.ts", "abc"}}, 50);
  EXPECT_NE(p.find("src/render.ts(18,9): error TS2322: Type 'number'"), std::string::npos);
  EXPECT_NE(p.find("--- FILE: src/render.ts ---\nabc\n--- END FILE ---"), std::string::npos);
  EXPECT_FALSE(IsEditablePath("/etc/passwd"));
  EXPECT_FALSE(IsEditablePath("a/../b"));
  EXPECT_TRUE(IsEditablePath("src/a.ts"));
}

TEST(AutofixJsonTest, ResultRoundTrips) {
  AutofixResult r;
  r.commit_sha = "abc";
  r.committed = true;
  r.accepted = {{"a.ts", "x", "y", "why"}};
  r.rejected = {{{"b.ts", "p", "q", ""}, "file b.ts was not sent to the model"}};
  r.llm = {"claude-sonnet-5", "req_1", "end_turn", 10, 20, 0.5};
  r.reply = "[]";
  Result<AutofixResult> back = AutofixResultFromJson(ToJson(r));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(ToJson(*back), ToJson(r));
  Result<AutofixRequest> req =
      AutofixRequestFromJson(ToJson(AutofixRequest{"site", "main", "sha", {kTypeError}, "k",
                                                   "acme"}));
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(req->errors.at(0), kTypeError);
  EXPECT_EQ(req->tenant, "acme");
  EXPECT_EQ(AutofixRequestFromJson(nlohmann::json::object()).status().code(),
            Code::kInvalidArgument);
}

}  // namespace
}  // namespace slipway::activities
