// activities/anthropic_client.h: one Anthropic Messages API call, with usage and cost.
//
// POST {api_url}/v1/messages with x-api-key and anthropic-version: 2023-06-01, the configured
// model and a 30 s timeout (AnthropicConfig). The reply's text is every `text` block joined in
// order (a `thinking` block may come first); every `tool_use` block is kept with its input.
// With a tool in the request, `tools: [{name, description, input_schema}]` is sent and the tool
// is forced (`tool_choice: {"type": "tool", "name"}`), except for models that reject forced tool
// use (ForcesToolUse): those get `{"type": "auto"}` and may answer in text. Not idempotent on the remote side (each call is
// billed); callers record the result so a retried step does not ask twice.
// Errors follow http_errors.h: 429 and 529 (and other 5xx) are kUnavailable with retry_after_ms
// from retry-after-ms / retry-after / anthropic-ratelimit-*-reset; 400/401/403/404 are not
// retryable. Thread-safe if the HttpClient is; it must outlive this.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "activities/http_client.h"
#include "activities/service_config.h"
#include "engine/base/status.h"

namespace slipway::activities {

struct ToolSpec {
  std::string name;
  std::string description;
  nlohmann::json input_schema;  // a JSON Schema object ({"type": "object", ...})
};

struct MessageRequest {
  std::string system;  // system prompt (may be empty)
  std::string user;    // the user turn
  int max_tokens = 0;  // 0: AnthropicConfig::max_tokens
  std::optional<ToolSpec> tool;  // the tool the model should answer through
};

struct ToolUse {
  std::string id;        // toolu_...
  std::string name;
  nlohmann::json input;  // the tool's arguments, as the model wrote them (not validated)
};

struct MessageResult {
  std::string text;         // all text blocks joined
  std::vector<ToolUse> tool_uses;  // tool_use blocks, in order
  std::string model;        // as reported by the API
  std::string stop_reason;  // end_turn, tool_use, max_tokens, refusal, ...
  std::string request_id;   // request-id header, for support tickets
  int64_t input_tokens = 0;   // input + cache creation + cache read
  int64_t output_tokens = 0;
  double cost_usd = 0;  // estimate from ModelPrice
};

struct ModelPrice {
  double input_per_mtok_usd;
  double output_per_mtok_usd;
};

// False for models that answer a forced tool_choice ("tool" or "any") with 400: Claude Sonnet
// 5.5 (shared/reference/external-apis.md C.1; Anthropic's "What's new in Claude Sonnet 5.5").
bool ForcesToolUse(const std::string& model);

// Prices per million tokens; unknown models get $2 / $10 (the current Sonnet's).
ModelPrice PriceFor(const std::string& model);
double EstimateCostUsd(const std::string& model, int64_t input_tokens, int64_t output_tokens);

class AnthropicClient {
 public:
  AnthropicClient(HttpClient& http, AnthropicConfig config);
  Result<MessageResult> Send(const MessageRequest& request);

 private:
  HttpClient& http_;
  const AnthropicConfig config_;
};

}  // namespace slipway::activities
