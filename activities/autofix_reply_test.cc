// The shapes a model writes its edits in: the tool call's input (Anthropic tool use: a
// tool_use block's `input` object) and the text fallbacks (a JSON array, an object with `edits`,
// the original plan's `fixes: [{file, changes: [{oldCode, newCode}]}]`, and both together with a
// summary), in fences and after prose.
#include "activities/autofix_reply.h"

#include <gtest/gtest.h>

namespace slipway::activities {
namespace {

using nlohmann::json;

const char* const kEdit =
    R"({"file":"src/a.ts","old_text":"cout","new_text":"count","reason":"typo"})";

TEST(AutofixReplyTest, ToolInputWithEdits) {
  json input = json::parse(std::string(R"({"edits":[)") + kEdit + "]}");
  ParsedReply p = ParseEditInput(input, 50);
  EXPECT_TRUE(p.found);
  ASSERT_EQ(p.edits.size(), 1u);
  EXPECT_EQ(p.edits[0].file, "src/a.ts");
  EXPECT_EQ(p.edits[0].old_text, "cout");
  EXPECT_EQ(p.edits[0].new_text, "count");
  EXPECT_EQ(p.edits[0].reason, "typo");
}

TEST(AutofixReplyTest, ToolInputWithNoEditsIsAnEmptyList) {
  ParsedReply p = ParseEditInput(json{{"edits", json::array()}}, 50);
  EXPECT_TRUE(p.found);
  EXPECT_TRUE(p.edits.empty());
  EXPECT_TRUE(p.malformed.empty());
  EXPECT_FALSE(ParseEditInput(json::object(), 50).found);
  EXPECT_FALSE(ParseEditInput(json{{"edits", 3}}, 50).found);
}

// Models sometimes put the list in the tool input as a JSON string.
TEST(AutofixReplyTest, ToolInputWhoseEditsAreAString) {
  ParsedReply p = ParseEditInput(json{{"edits", std::string("[") + kEdit + "]"}}, 50);
  EXPECT_TRUE(p.found);
  ASSERT_EQ(p.edits.size(), 1u);
  EXPECT_EQ(p.edits[0].new_text, "count");
}

TEST(AutofixReplyTest, BareArray) {
  ParsedReply p = ParseEditReply(std::string("[") + kEdit + "]", 50);
  EXPECT_TRUE(p.found);
  ASSERT_EQ(p.edits.size(), 1u);
  EXPECT_EQ(p.edits[0].file, "src/a.ts");
}

TEST(AutofixReplyTest, ArrayInAFenceAfterProseAndMalformedItems) {
  ParsedReply p = ParseEditReply(
      "Here you go:\n```json\n[{\"file\":\"a.ts\",\"old_text\":\"x\",\"new_text\":\"y\","
      "\"reason\":\"r\"}, {\"file\": 3}]\n```",
      50);
  EXPECT_TRUE(p.found);
  ASSERT_EQ(p.edits.size(), 1u);
  EXPECT_EQ(p.edits[0].new_text, "y");
  ASSERT_EQ(p.malformed.size(), 1u);
  EXPECT_EQ(p.malformed[0].reason, "not an object with string fields file, old_text and new_text");
  EXPECT_FALSE(ParseEditReply("I cannot help with that.", 50).found);
}

TEST(AutofixReplyTest, ObjectWithEditsInAFence) {
  ParsedReply p = ParseEditReply(
      std::string("I found one error.\n\n```json\n{\"edits\": [") + kEdit + "]}\n```\nDone.", 50);
  EXPECT_TRUE(p.found);
  ASSERT_EQ(p.edits.size(), 1u);
  EXPECT_EQ(p.edits[0].old_text, "cout");
}

// The original plan's prompt asked for this shape.
TEST(AutofixReplyTest, FixesWithChanges) {
  ParsedReply p = ParseEditReply(R"({"fixes": [
      {"file": "src/a.ts", "description": "typos",
       "changes": [{"oldCode": "cout", "newCode": "count", "explanation": "typo"},
                   {"oldCode": "lenght", "newCode": "length"}]},
      {"file": "src/b.ts", "changes": [{"oldCode": "x: number = '1'", "newCode": "x: number = 1"}]}]})",
                                 50);
  EXPECT_TRUE(p.found);
  ASSERT_EQ(p.edits.size(), 3u);
  EXPECT_EQ(p.edits[0].file, "src/a.ts");
  EXPECT_EQ(p.edits[0].reason, "typo");
  EXPECT_EQ(p.edits[1].old_text, "lenght");
  EXPECT_EQ(p.edits[1].reason, "typos");  // the fix's description when the change has none
  EXPECT_EQ(p.edits[2].file, "src/b.ts");
  EXPECT_EQ(p.edits[2].new_text, "x: number = 1");
  EXPECT_TRUE(p.malformed.empty());
}

// Rejected on main as "holds no JSON list of edits": a summary, fixes describing the work, and
// the edits. The same edit in both lists counts once; a description is neither edit nor error.
TEST(AutofixReplyTest, SummaryFixesAndEditsTogether) {
  std::string reply = std::string(R"(```json
{"summary": "Fixed a typo in src/a.ts.",
 "fixes": [{"file": "src/a.ts", "description": "cout is a typo of count"},
           {"file": "src/a.ts", "changes": [{"oldCode": "cout", "newCode": "count"}]}],
 "edits": [)") + kEdit + R"(, {"file": "src/c.ts", "old_text": "a", "new_text": "b"}]}
```)";
  ParsedReply p = ParseEditReply(reply, 50);
  EXPECT_TRUE(p.found);
  ASSERT_EQ(p.edits.size(), 2u);
  EXPECT_EQ(p.edits[0].reason, "typo");
  EXPECT_EQ(p.edits[1].file, "src/c.ts");
  EXPECT_TRUE(p.malformed.empty());
}

// Code quoted before the answer holds brackets and braces, some valid JSON ([1, 2], []).
TEST(AutofixReplyTest, CodeBeforeTheAnswerIsSkipped) {
  std::string reply =
      "The loop `for (const p of [1, 2]) { total += p; }` and `const pages = [];` are fine, "
      "but a[0 is not closed here. The fix:\n" +
      std::string("{\"edits\": [") + kEdit + "]}";
  ParsedReply p = ParseEditReply(reply, 50);
  EXPECT_TRUE(p.found);
  ASSERT_EQ(p.edits.size(), 1u);
  EXPECT_EQ(p.edits[0].new_text, "count");
}

TEST(AutofixReplyTest, AnEmptyListMeansNoEdits) {
  ParsedReply p = ParseEditReply("I cannot fix this safely. []", 50);
  EXPECT_TRUE(p.found);
  EXPECT_TRUE(p.edits.empty());
  EXPECT_TRUE(p.malformed.empty());
}

TEST(AutofixReplyTest, StopsAfterMaxEdits) {
  std::string list = "[";
  for (int i = 0; i < 10; ++i) list += std::string(i ? "," : "") + kEdit;
  ParsedReply p = ParseEditReply(list + "]", 3);
  EXPECT_EQ(p.edits.size(), 1u);  // the same edit ten times is one edit
  std::string distinct = "[";
  for (int i = 0; i < 10; ++i) {
    distinct += std::string(i ? "," : "") + R"({"file":"src/a.ts","old_text":"x)" +
                std::to_string(i) + R"(","new_text":"y"})";
  }
  p = ParseEditReply(distinct + "]", 3);
  EXPECT_EQ(p.edits.size(), 3u);
  ASSERT_EQ(p.malformed.size(), 1u);
  EXPECT_EQ(p.malformed[0].reason, "more than 3 edits: the rest were not considered");
}

TEST(AutofixReplyTest, DeepOrHugeTextIsReadWithoutRecursion) {
  EXPECT_FALSE(ParseEditReply(std::string(200000, '['), 50).found);
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_FALSE(ParseEditReply(deep, 50).found);
  std::string braces;
  for (int i = 0; i < 20000; ++i) braces += "{\"a\": 1} ";
  EXPECT_FALSE(ParseEditReply(braces + "[" + kEdit + "]", 50).found);  // past 256 candidates
}

}  // namespace
}  // namespace slipway::activities
