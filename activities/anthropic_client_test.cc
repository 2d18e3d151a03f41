#include "activities/anthropic_client.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "activities/emulator_fixture.h"

namespace slipway::activities {
namespace {

class AnthropicClientTest : public testing::EmulatorFixture {
 protected:
  void SetUp() override {
    EmulatorFixture::SetUp();
    StartEmulator();
    llm_ = std::make_unique<AnthropicClient>(http_, Config().anthropic);
  }
  MessageRequest Ask() {
    MessageRequest m;
    m.system = "Reply with a JSON list of edits only.";
    m.user =
        "src/a.ts(2,13): error TS2304: Cannot find name 'cout'.\n"
        "--- FILE: src/a.ts ---\nconst count = 1;\nexport const b = cout + 1;\n"
        "--- END FILE ---\n";
    m.max_tokens = 1024;
    return m;
  }
  std::unique_ptr<AnthropicClient> llm_;
};

TEST_F(AnthropicClientTest, JoinsTextBlocksAndReportsUsageAndCost) {
  Result<MessageResult> r = llm_->Send(Ask());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  nlohmann::json edits = nlohmann::json::parse(r->text, nullptr, false);
  ASSERT_TRUE(edits.is_array()) << r->text;
  ASSERT_EQ(edits.size(), 1u);
  EXPECT_EQ(edits[0]["new_text"], "export const b = count + 1;");
  EXPECT_EQ(r->model, "claude-sonnet-5");
  EXPECT_EQ(r->stop_reason, "end_turn");
  EXPECT_FALSE(r->request_id.empty());
  EXPECT_GT(r->input_tokens, 0);
  EXPECT_GT(r->output_tokens, 0);
  EXPECT_DOUBLE_EQ(r->cost_usd, EstimateCostUsd("claude-sonnet-5", r->input_tokens, r->output_tokens));
}

ToolSpec EditsTool() {
  return {"propose_edits", "Propose edits",
          {{"type", "object"},
           {"properties", {{"edits", {{"type", "array"}}}}},
           {"required", {"edits"}}}};
}

TEST_F(AnthropicClientTest, ForcedToolIsAnsweredWithAToolUseBlock) {
  MessageRequest ask = Ask();
  ask.tool = EditsTool();
  Result<MessageResult> r = llm_->Send(ask);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stop_reason, "tool_use");
  EXPECT_TRUE(r->text.empty());
  ASSERT_EQ(r->tool_uses.size(), 1u);
  EXPECT_EQ(r->tool_uses[0].name, "propose_edits");
  EXPECT_EQ(r->tool_uses[0].id.rfind("toolu_", 0), 0u);
  ASSERT_EQ(r->tool_uses[0].input["edits"].size(), 1u);
  EXPECT_EQ(r->tool_uses[0].input["edits"][0]["new_text"], "export const b = count + 1;");
  EXPECT_GT(r->output_tokens, 0);
}

// Claude Sonnet 5.5 answers a forced tool_choice with 400 (as the emulator does): the client
// asks it with "auto", and its reply (thinking, text, tool call) gives both text and the call.
TEST_F(AnthropicClientTest, ModelThatRejectsForcedToolsIsAskedWithAuto) {
  AnthropicConfig c = Config().anthropic;
  c.model = "claude-sonnet-5-5";
  AnthropicClient llm(http_, c);
  MessageRequest ask = Ask();
  ask.tool = EditsTool();
  Result<MessageResult> r = llm.Send(ask);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->text.empty());
  ASSERT_EQ(r->tool_uses.size(), 1u);
  EXPECT_EQ(r->tool_uses[0].input["edits"].size(), 1u);
  EXPECT_TRUE(ForcesToolUse("claude-sonnet-5"));
  EXPECT_TRUE(ForcesToolUse("claude-sonnet-4-6"));
  EXPECT_FALSE(ForcesToolUse("claude-sonnet-5-5"));
}

// Answers every request with one fixed 200 body; keeps the last request body.
class CannedHttp : public HttpClient {
 public:
  explicit CannedHttp(std::string body) : body_(std::move(body)) {}
  Result<HttpResponse> Send(const HttpRequest& r) override {
    last_request = nlohmann::json::parse(r.body, nullptr, false);
    HttpResponse resp;
    resp.status = 200;
    resp.headers.Add("request-id", "req_011CXYZabc");
    resp.body = body_;
    return resp;
  }
  nlohmann::json last_request;

 private:
  std::string body_;
};

// The documented response shape (shared/reference/external-apis.md C.2): thinking first, then
// text, then a tool_use block; stop_reason tool_use.
TEST(AnthropicReplyTest, ReadsTextAndToolUseFromSeveralBlocks) {
  CannedHttp http(R"({"id": "msg_01AbCdEfGh", "type": "message", "role": "assistant",
    "model": "claude-sonnet-5",
    "content": [{"type": "thinking", "thinking": "...", "signature": "EqQB"},
                {"type": "text", "text": "I'll fix the typo."},
                {"type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": "propose_edits",
                 "input": {"edits": [{"file": "src/a.ts", "old_text": "cout", "new_text": "count",
                                      "reason": "typo"}]}}],
    "stop_reason": "tool_use", "stop_sequence": null,
    "usage": {"input_tokens": 1834, "output_tokens": 912}})");
  AnthropicConfig c;
  c.api_key = "k";
  AnthropicClient llm(http, c);
  MessageRequest ask{"system", "user", 100, EditsTool()};
  Result<MessageResult> r = llm.Send(ask);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->text, "I'll fix the typo.");
  EXPECT_EQ(r->stop_reason, "tool_use");
  EXPECT_EQ(r->request_id, "req_011CXYZabc");
  ASSERT_EQ(r->tool_uses.size(), 1u);
  EXPECT_EQ(r->tool_uses[0].id, "toolu_01A09q90qw90lq917835lq9");
  EXPECT_EQ(r->tool_uses[0].input["edits"][0]["old_text"], "cout");
  const nlohmann::json& sent = http.last_request;
  EXPECT_EQ(sent["tools"][0]["name"], "propose_edits");
  EXPECT_EQ(sent["tools"][0]["description"], "Propose edits");
  EXPECT_EQ(sent["tools"][0]["input_schema"]["required"], nlohmann::json::array({"edits"}));
  EXPECT_EQ(sent["tool_choice"], (nlohmann::json{{"type", "tool"}, {"name", "propose_edits"}}));
}

// Without a tool: no tools in the request, and a text-only reply is text.
TEST(AnthropicReplyTest, TextReplyWithoutATool) {
  CannedHttp http(R"({"id": "msg_1", "type": "message", "role": "assistant",
    "model": "claude-sonnet-5", "content": [{"type": "text", "text": "[]"}],
    "stop_reason": "end_turn", "stop_sequence": null,
    "usage": {"input_tokens": 3, "output_tokens": 1}})");
  AnthropicConfig c;
  c.api_key = "k";
  AnthropicClient llm(http, c);
  MessageRequest ask;
  ask.user = "user";
  Result<MessageResult> r = llm.Send(ask);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->text, "[]");
  EXPECT_TRUE(r->tool_uses.empty());
  EXPECT_FALSE(http.last_request.contains("tools"));
  EXPECT_FALSE(http.last_request.contains("tool_choice"));
}

TEST(AnthropicPriceTest, KnownAndDefaultPrices) {
  EXPECT_DOUBLE_EQ(EstimateCostUsd("claude-sonnet-5", 1'000'000, 1'000'000), 12.0);
  EXPECT_DOUBLE_EQ(EstimateCostUsd("claude-sonnet-4-6", 1'000'000, 0), 3.0);
  EXPECT_DOUBLE_EQ(EstimateCostUsd("some-future-model", 500'000, 100'000), 2.0);
}

TEST_F(AnthropicClientTest, RateLimitedIsRetryableWithRetryAfter) {
  Faults(R"({"rules":[{"path":"/v1/messages","status":429,"retry_after_s":3}]})");
  Status s = llm_->Send(Ask()).status();
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_EQ(s.retry_after_ms(), 3000);
}

TEST_F(AnthropicClientTest, OverloadedIsRetryable) {
  Faults(R"({"rules":[{"path":"/v1/messages","status":529}]})");
  Status s = llm_->Send(Ask()).status();
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_NE(s.message().find("529"), std::string::npos);
}

TEST_F(AnthropicClientTest, HungRequestIsDeadlineExceeded) {
  AnthropicConfig c = Config().anthropic;
  c.timeout_ms = 200;
  AnthropicClient llm(http_, c);
  Faults(R"({"rules":[{"path":"/v1/messages","hang_ms":20000}]})");
  EXPECT_EQ(llm.Send(Ask()).status().code(), Code::kDeadlineExceeded);
}

TEST_F(AnthropicClientTest, ConnectionRefusedIsUnavailable) {
  AnthropicConfig c = Config().anthropic;
  c.api_url = "http://127.0.0.1:" + std::to_string(ClosedPort());
  AnthropicClient llm(http_, c);
  EXPECT_EQ(llm.Send(Ask()).status().code(), Code::kUnavailable);
}

TEST_F(AnthropicClientTest, BadKeyIsPermanentAndNotLeaked) {
  AnthropicConfig c = Config().anthropic;
  c.api_key = "sk-ant-wrongwrongwrongwrong";
  AnthropicClient llm(http_, c);
  Status s = llm.Send(Ask()).status();
  EXPECT_EQ(s.code(), Code::kPermanent);
  EXPECT_EQ(s.message().find("wrongwrong"), std::string::npos) << s.message();
}

TEST_F(AnthropicClientTest, NotFoundIsPermanent) {
  Faults(R"({"rules":[{"path":"/v1/messages","status":404}]})");
  EXPECT_EQ(llm_->Send(Ask()).status().code(), Code::kPermanent);
}

}  // namespace
}  // namespace slipway::activities
