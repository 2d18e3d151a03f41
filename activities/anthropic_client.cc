#include "activities/anthropic_client.h"

#include <nlohmann/json.hpp>

#include "activities/http_errors.h"
#include "activities/rest_util.h"

namespace slipway::activities {

namespace {

using nlohmann::json;

int64_t Tokens(const json& usage, const char* key) {
  return usage.contains(key) && usage[key].is_number_integer() ? usage[key].get<int64_t>() : 0;
}

std::string StringOr(const json& block, const char* key) {
  auto it = block.find(key);
  return it != block.end() && it->is_string() ? it->get<std::string>() : "";
}

void AddTool(const std::string& model, const ToolSpec& tool, json& body) {
  body["tools"] = json::array(
      {{{"name", tool.name}, {"description", tool.description}, {"input_schema", tool.input_schema}}});
  body["tool_choice"] = ForcesToolUse(model) ? json{{"type", "tool"}, {"name", tool.name}}
                                             : json{{"type", "auto"}};
}

// Text blocks joined, tool_use blocks kept; thinking and other blocks skipped.
void ReadContent(const json& content, MessageResult& m) {
  for (const json& block : content) {
    if (!block.is_object()) continue;
    std::string type = StringOr(block, "type");
    if (type == "text") m.text += StringOr(block, "text");
    if (type == "tool_use") {
      m.tool_uses.push_back({StringOr(block, "id"), StringOr(block, "name"),
                             block.contains("input") ? block["input"] : json::object()});
    }
  }
}

}  // namespace

bool ForcesToolUse(const std::string& model) {
  return model.compare(0, 17, "claude-sonnet-5-5") != 0;
}

ModelPrice PriceFor(const std::string& model) {
  // From shared/reference/external-apis.md C.6. Sonnet 4.6's price is unverified there.
  struct Entry {
    const char* model;
    ModelPrice price;
  };
  static const Entry kPrices[] = {
      {"claude-sonnet-5-5", {2.0, 10.0}},
      {"claude-sonnet-5", {2.0, 10.0}},
      {"claude-sonnet-4-6", {3.0, 15.0}},
  };
  for (const Entry& e : kPrices) {
    if (model == e.model) return e.price;
  }
  return {2.0, 10.0};
}

double EstimateCostUsd(const std::string& model, int64_t input_tokens, int64_t output_tokens) {
  ModelPrice p = PriceFor(model);
  return (static_cast<double>(input_tokens) * p.input_per_mtok_usd +
          static_cast<double>(output_tokens) * p.output_per_mtok_usd) /
         1e6;
}

AnthropicClient::AnthropicClient(HttpClient& http, AnthropicConfig config)
    : http_(http), config_(std::move(config)) {}

Result<MessageResult> AnthropicClient::Send(const MessageRequest& request) {
  json body = {{"model", config_.model},
               {"max_tokens", request.max_tokens > 0 ? request.max_tokens : config_.max_tokens},
               {"messages", {{{"role", "user"}, {"content", request.user}}}}};
  if (!request.system.empty()) body["system"] = request.system;
  if (request.tool) AddTool(config_.model, *request.tool, body);
  HttpRequest r;
  r.method = "POST";
  r.url = config_.api_url + "/v1/messages";
  r.timeout_ms = config_.timeout_ms;
  r.headers.Add("x-api-key", config_.api_key);
  r.headers.Add("anthropic-version", "2023-06-01");
  r.headers.Add("content-type", "application/json");
  r.body = JsonText(body);  // files and errors quoted in the prompt may hold any bytes

  std::string what = "anthropic messages " + config_.model;
  Result<HttpResponse> resp = http_.Send(r);
  if (!resp.ok()) return resp.status();
  SLIPWAY_RETURN_IF_ERROR(StatusFromResponse(*resp, what));
  Result<json> j = ParseJsonBody(*resp, what);
  if (!j.ok()) return j.status();
  std::string request_id = resp->headers.Get("request-id").value_or("");
  return Decode<MessageResult>(*j, what, [&](const json& v) {
    MessageResult m;
    ReadContent(v.at("content"), m);
    m.model = v.value("model", config_.model);
    m.stop_reason = v.contains("stop_reason") && v["stop_reason"].is_string()
                        ? v["stop_reason"].get<std::string>() : "";
    m.request_id = request_id;
    const json& usage = v.at("usage");
    m.input_tokens = Tokens(usage, "input_tokens") + Tokens(usage, "cache_creation_input_tokens") +
                     Tokens(usage, "cache_read_input_tokens");
    m.output_tokens = Tokens(usage, "output_tokens");
    m.cost_usd = EstimateCostUsd(m.model, m.input_tokens, m.output_tokens);
    return m;
  });
}

}  // namespace slipway::activities
