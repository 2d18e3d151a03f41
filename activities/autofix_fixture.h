// activities/autofix_fixture.h: test-only fixture for the Autofixer: the emulator seeded with
// tests/fixtures/site and a seeded-error variant, plus ScriptedModelHttp, which plays the model
// with a fixed reply (and records what it was asked) while GitHub stays the emulator's.
// Not thread-safe; one per test.
#pragma once

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "activities/autofix.h"
#include "activities/emulator_fixture.h"

namespace slipway::activities::testing {

inline build::BuildError TscError(const std::string& file, int line, int col,
                                  const std::string& code, const std::string& message) {
  return {"tsc", file, line, col, code, message};
}

class AutofixTest : public EmulatorFixture {
 protected:
  // `append` is added to `append_to` (a file of the variant) before the template is seeded.
  void StartWithVariant(const std::string& variant, const std::string& append_to = "",
                        const std::string& append = "") {
    namespace fs = std::filesystem;
    fs::path tmpl = dir_ / "fixture-site";
    fs::copy(fs::path(SLIPWAY_FIXTURES_DIR) / "site", tmpl, fs::copy_options::recursive);
    fs::copy(fs::path(SLIPWAY_FIXTURES_DIR) / "site-variants" / variant, tmpl,
             fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    if (!append_to.empty()) std::ofstream(tmpl / append_to, std::ios::app) << append;
    options_.template_dir = tmpl.string();
    StartEmulator();
    gh_ = std::make_unique<GitHubClient>(http_, Config().github);
    llm_ = std::make_unique<AnthropicClient>(http_, Config().anthropic);
    fixer_ = std::make_unique<Autofixer>(*gh_, *llm_);
    ASSERT_TRUE(gh_->CreateRepoFromTemplate({"site", "", true}).ok());
    head_ = *gh_->GetBranchHead("site", "main");
  }
  AutofixRequest Request(std::vector<build::BuildError> errors,
                         const std::string& key = "wf-1/autofix") {
    return {"site", "main", head_, std::move(errors), key, "site"};
  }
  std::string Read(const std::string& path) {
    Result<std::optional<GitHubFile>> f = gh_->GetFile("site", path, "main");
    return f.ok() && f->has_value() ? (*f)->content : "";
  }
  std::unique_ptr<GitHubClient> gh_;
  std::unique_ptr<AnthropicClient> llm_;
  std::unique_ptr<Autofixer> fixer_;
  std::string head_;
};

// Plays the model: /v1/messages is answered with `content` (the Messages API's list of content
// blocks) and `stop_reason`; everything else goes to the emulator. Keeps the request bodies the
// model was sent.
class ScriptedModelHttp : public HttpClient {
 public:
  // A text reply, as one text block.
  ScriptedModelHttp(HttpClient& real, const std::string& text)
      : ScriptedModelHttp(real, nlohmann::json::array({{{"type", "text"}, {"text", text}}}),
                          "end_turn") {}
  ScriptedModelHttp(HttpClient& real, nlohmann::json content, std::string stop_reason)
      : real_(real), content_(std::move(content)), stop_reason_(std::move(stop_reason)) {}

  Result<HttpResponse> Send(const HttpRequest& r) override {
    if (r.url.find("/v1/messages") == std::string::npos) return real_.Send(r);
    requests.push_back(nlohmann::json::parse(r.body, nullptr, false));
    HttpResponse resp;
    resp.status = 200;
    resp.headers.Add("Content-Type", "application/json");
    resp.body = nlohmann::json{{"id", "msg_1"},
                               {"type", "message"},
                               {"role", "assistant"},
                               {"model", "claude-sonnet-5"},
                               {"content", content_},
                               {"stop_reason", stop_reason_},
                               {"usage", {{"input_tokens", 10}, {"output_tokens", 10}}}}
                    .dump();
    return resp;
  }
  std::vector<nlohmann::json> requests;

 private:
  HttpClient& real_;
  nlohmann::json content_;
  std::string stop_reason_;
};

// A tool_use content block calling the edit tool with {"edits": edits}.
inline nlohmann::json ToolUseBlock(const nlohmann::json& edits) {
  return {{"type", "tool_use"},
          {"id", "toolu_01A09q90qw90lq917835lq9"},
          {"name", "propose_edits"},
          {"input", {{"edits", edits}}}};
}

}  // namespace slipway::activities::testing
