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
    return {"Reply with a JSON list of edits only.",
            "src/a.ts(2,13): error TS2304: Cannot find name 'cout'.\n"
            "--- FILE: src/a.ts ---\nconst count = 1;\nexport const b = cout + 1;\n"
            "--- END FILE ---\n",
            1024};
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
