// activities/anthropic_client.h: one Anthropic Messages API call, with usage and cost.
//
// POST {api_url}/v1/messages with x-api-key and anthropic-version: 2023-06-01, the configured
// model and a 30 s timeout (AnthropicConfig). The reply's text is every `text` block joined in
// order (a `thinking` block may come first). Not idempotent on the remote side (each call is
// billed); callers record the result so a retried step does not ask twice.
// Errors follow http_errors.h: 429 and 529 (and other 5xx) are kUnavailable with retry_after_ms
// from retry-after-ms / retry-after / anthropic-ratelimit-*-reset; 400/401/403/404 are not
// retryable. Thread-safe if the HttpClient is; it must outlive this.
#pragma once

#include <cstdint>
#include <string>

#include "activities/http_client.h"
#include "activities/service_config.h"
#include "engine/base/status.h"

namespace slipway::activities {

struct MessageRequest {
  std::string system;  // system prompt (may be empty)
  std::string user;    // the user turn
  int max_tokens = 0;  // 0: AnthropicConfig::max_tokens
};

struct MessageResult {
  std::string text;         // all text blocks joined
  std::string model;        // as reported by the API
  std::string stop_reason;  // end_turn, max_tokens, refusal, ...
  std::string request_id;   // request-id header, for support tickets
  int64_t input_tokens = 0;   // input + cache creation + cache read
  int64_t output_tokens = 0;
  double cost_usd = 0;  // estimate from ModelPrice
};

struct ModelPrice {
  double input_per_mtok_usd;
  double output_per_mtok_usd;
};

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
