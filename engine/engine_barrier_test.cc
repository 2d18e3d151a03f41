// The exception barrier around activities, and secrets kept out of what is stored and shown:
// an activity that throws (a library's type_error, bad_alloc, anything) is a failed attempt
// retried by the step's policy; the workflow input and step errors are redacted at rest and
// in every view, while Start stays idempotent on the request as sent.
#include <gtest/gtest.h>

#include <new>

#include "engine/activity_barrier.h"
#include "engine/testing/engine_fixture.h"

namespace slipway::engine {
namespace {

using nlohmann::json;
using testing::EngineFixture;
class EngineBarrierTest : public EngineFixture {};

// What nlohmann::json throws when an activity serialises bytes that are not UTF-8 (the LLM
// "reason" cut inside a character, a binary favicon).
[[noreturn]] void ThrowJsonTypeError() {
  json reason = std::string("fix the hea\xE2\x80", 13);
  (void)reason.dump();
  std::abort();  // dump() threw above
}

// Throws on the first attempt of s2 (type_error), s3 (bad_alloc) and s4 (not an exception).
void ThrowOnFirstAttempts(const ActivityCall& call) {
  if (call.attempt != 1) return;
  if (call.step == "s2") ThrowJsonTypeError();
  if (call.step == "s3") throw std::bad_alloc();
  if (call.step == "s4") throw 42;
}

bool IsValidUtf8(const std::string& s) {
  try {
    (void)json(s).dump();
    return true;
  } catch (const json::exception&) {
    return false;
  }
}

TEST_F(EngineBarrierTest, WhateverAnActivityThrowsIsAFailedAttemptThatRetries) {
  activity_.SetHook(ThrowOnFirstAttempts);
  Start("seven", "client1", json::object(), "wf-1");
  RunDue();
  Workflow w = Get("wf-1");
  json s2 = StepOf(w, "s2");
  EXPECT_EQ(s2["status"], "retrying");
  EXPECT_EQ(s2["error"]["code"], "internal");
  const std::string message = s2["error"]["message"];
  EXPECT_EQ(message.rfind("activity threw: [json.exception.type_error.316]", 0), 0u) << message;
  clock_.Advance(std::chrono::seconds(1));
  RunDue();  // s2 again: ok; s3 throws bad_alloc
  EXPECT_EQ(StepOf(Get("wf-1"), "s3")["error"]["message"], "activity threw: std::bad_alloc");
  clock_.Advance(std::chrono::seconds(1));
  RunDue();  // s3 again: ok; s4 throws an int
  EXPECT_EQ(StepOf(Get("wf-1"), "s4")["error"]["message"],
            "activity threw: an exception that is not a std::exception");
  clock_.Advance(std::chrono::seconds(1));
  RunDue();
  w = Get("wf-1");
  EXPECT_EQ(w.instance.status, "completed");
  for (const char* step : {"s2", "s3", "s4"}) EXPECT_EQ(StepOf(w, step)["attempts"], 2);
  int retried = 0;
  for (const auto& e : History("wf-1")) {
    if (e.type != "step_failed") continue;
    json data = json::parse(e.data_json);
    EXPECT_TRUE(data["retry"].get<bool>());
    EXPECT_EQ(data["error"]["code"], "internal");
    ++retried;
  }
  EXPECT_EQ(retried, 3);
  EXPECT_TRUE(VerifyChain(History("wf-1")).ok());
}

TEST_F(EngineBarrierTest, AnExceptionThatKeepsComingFailsTheStepByItsRetryPolicy) {
  activity_.SetHook([](const ActivityCall& call) {
    if (call.step == "s1") ThrowJsonTypeError();
  });
  Start("seven", "client1", json::object(), "wf-1");
  for (int i = 0; i < 3; ++i) {
    RunDue();
    clock_.Advance(std::chrono::seconds(10));
  }
  Workflow w = Get("wf-1");
  EXPECT_EQ(w.instance.status, "failed");
  EXPECT_EQ(StepOf(w, "s1")["attempts"], 3);  // FastRetry(3)
  EXPECT_EQ(StepOf(w, "s1")["error"]["code"], "internal");
}

TEST_F(EngineBarrierTest, TheActivityThrowFailpointThrowsInsideTheBarrier) {
  ASSERT_TRUE(failpoints_.Arm("activity.throw", "error*1").ok());
  Start("seven", "client1", json::object(), "wf-1");
  RunDue();
  EXPECT_EQ(activity_.attempts("s1"), 0);  // thrown instead of running it
  EXPECT_EQ(StepOf(Get("wf-1"), "s1")["error"]["message"],
            "activity threw: failpoint activity.throw");
  clock_.Advance(std::chrono::seconds(1));
  RunDue();
  EXPECT_EQ(Get("wf-1").instance.status, "completed");
}

TEST_F(EngineBarrierTest, AThrownMessageIsBoundedCutOnACodePointAndRedacted) {
  std::string what = "token abcdefghijklmnopqrstuvwxyz leaked; ";
  for (int i = 0; i < 1000; ++i) what += "\xC3\xA9";  // é: a cut at an odd byte splits it
  what += "\xFF tail";
  activity_.SetHook([&](const ActivityCall& call) {
    if (call.step == "s1" && call.attempt == 1) throw std::runtime_error(what);
  });
  Start("seven", "client1", json::object(), "wf-1");
  RunDue();
  const std::string message = StepOf(Get("wf-1"), "s1")["error"]["message"];
  EXPECT_LE(message.size(), kMaxThrownMessageBytes);
  EXPECT_GT(message.size(), 400u);  // filled up to the bound, less what redaction took
  EXPECT_TRUE(IsValidUtf8(message));
  EXPECT_EQ(message.find("abcdefghijklmnop"), std::string::npos) << message;
  EXPECT_NE(message.find("[redacted]"), std::string::npos);
  auto stored = store_->Load("wf-1");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->context_json.find("abcdefghijklmnop"), std::string::npos);
  for (const auto& e : History("wf-1")) {
    EXPECT_EQ(e.data_json.find("abcdefghijklmnop"), std::string::npos) << e.type;
  }
}

TEST(CutUtf8Test, CutsOnCodePointsAndReplacesInvalidBytes) {
  EXPECT_EQ(CutUtf8("a\xC3\xA9", 2), "a");              // é does not fit whole
  EXPECT_EQ(CutUtf8("a\xC3\xA9", 3), "a\xC3\xA9");
  EXPECT_EQ(CutUtf8("\xF0\x9F\x98\x80!", 3), "");       // a 4-byte emoji, never half of it
  EXPECT_EQ(CutUtf8("x\xFFy", 100), "x\xEF\xBF\xBDy");  // invalid byte -> U+FFFD
  EXPECT_EQ(CutUtf8("\xC3", 100), "\xEF\xBF\xBD");      // truncated sequence
  EXPECT_EQ(CutUtf8("\xED\xA0\x80", 100), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(CutUtf8("\xC0\xAF", 100), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
  EXPECT_EQ(CutUtf8(std::string(10'000'000, 'A'), 512).size(), 512u);
}

const json kSecretInput = {
    {"website_data",
     {{"stripe_api_key", "sk_live_abc123def456ghi789"},
      {"about", "call us; token abcdefghijklmnopqrstu for the API"}}}};

void ExpectNoSecret(const std::string& text, const std::string& where) {
  EXPECT_EQ(text.find("sk_live_abc123def456ghi789"), std::string::npos) << where << ": " << text;
  EXPECT_EQ(text.find("abcdefghijklmnopqrstu"), std::string::npos) << where << ": " << text;
}

TEST_F(EngineBarrierTest, SecretsInTheInputAreRedactedAtRestInViewsHistoryAndActivities) {
  json seen_input;
  activity_.SetHook([&](const ActivityCall& call) {
    if (call.step == "s1") seen_input = call.input;
  });
  Workflow w = Start("seven", "client1", kSecretInput, "wf-1");
  EXPECT_TRUE(w.created);
  auto row = store_->Load("wf-1");
  ASSERT_TRUE(row.ok());
  ExpectNoSecret(row->input_json, "stored input");
  json stored = json::parse(row->input_json);
  EXPECT_EQ(stored["website_data"]["stripe_api_key"], "[redacted]");
  EXPECT_EQ(stored["website_data"]["about"], "call us; [redacted] for the API");
  RunDue();
  ExpectNoSecret(Get("wf-1").ToJson().dump(), "get");
  auto page = engine().List(storage::ListQuery{});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->instances.size(), 1u);
  Workflow listed;
  listed.instance = page->instances[0];
  ExpectNoSecret(listed.ToJson().dump(), "list");
  for (const auto& e : History("wf-1")) ExpectNoSecret(e.data_json, "history " + e.type);
  EXPECT_EQ(seen_input, stored);  // a secret has no business in website_data
  EXPECT_EQ(Get("wf-1").instance.status, "completed");
  EXPECT_TRUE(VerifyChain(History("wf-1")).ok());
}

TEST_F(EngineBarrierTest, TheSameRequestWithSecretsStillFindsItsWorkflow) {
  ASSERT_TRUE(Start("seven", "client1", kSecretInput, "wf-1").created);
  auto again = engine().Start({"seven", "client1", kSecretInput, "wf-1"}, Caller{"tenant:client1"});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(again->created);
  json other = kSecretInput;
  other["website_data"]["stripe_api_key"] = "sk_live_another_key_000000";
  auto conflict = engine().Start({"seven", "client1", other, "wf-1"}, Caller{"tenant:client1"});
  EXPECT_EQ(conflict.status().code(), Code::kConflict);  // redacted alike, yet not the same
}

TEST_F(EngineBarrierTest, StepErrorsAreRedactedWhereTheyAreStoredAndShown) {
  activity_.Script("s1", {Unavailable("upstream said: token abcdefghijklmnopqrstu is bad")});
  Start("seven", "client1", json::object(), "wf-1");
  RunDue();
  auto row = store_->Load("wf-1");
  ASSERT_TRUE(row.ok());
  ExpectNoSecret(row->context_json, "stored context");
  ExpectNoSecret(Get("wf-1").ToJson().dump(), "get");
  EXPECT_EQ(StepOf(Get("wf-1"), "s1")["error"]["message"], "upstream said: [redacted] is bad");
}

TEST_F(EngineBarrierTest, ViewsRedactRowsStoredBeforeRedactionAtRest) {
  Workflow w;
  w.instance.id = "old";
  w.instance.input_json = kSecretInput.dump();  // as main stored it before
  w.instance.error_json = R"({"message":"Bearer abcdefghijklmnopqrstu"})";
  json j = w.ToJson();
  ExpectNoSecret(j.dump(), "view of an old row");
  EXPECT_EQ(j["input"]["website_data"]["stripe_api_key"], "[redacted]");
}

}  // namespace
}  // namespace slipway::engine
