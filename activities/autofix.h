// activities/autofix.h: asks the LLM to fix a failing build and commits the edits it can trust.
//
// Autofixer::Run(request):
//   1. sorts the files named by the build errors by the edit policy (edit_policy.h): an error in
//      a file the model may not edit (package.json, a lockfile, a config, .github/, a script,
//      anything outside the source folders) is left to a human: it goes to `errors_for_human`,
//      its file to `files_skipped` with the policy's reason, and neither is sent. When no error
//      is left in a file the model may edit, the LLM is not asked at all;
//   2. reads each remaining file at `ref` (GitHub contents API), each capped and all together
//      bounded (AutofixOptions), skipping unsafe paths and files too big to send;
//   3. sends the errors in those files (tsc-style lines) and the files (`--- FILE: path ---`
//      blocks) to the LLM, asking it to call the tool `propose_edits` with a list of edits
//      {file, old_text, new_text, reason}; a reply in text is read too (autofix_reply.h);
//   4. accepts an edit only if the policy allows it (its file, no directive switching a check
//      off, no emptied file, not too many lines deleted), its file was sent and its old_text
//      occurs exactly once (in the file as the earlier accepted edits left it); every other
//      edit is in `rejected` with its reason, and the accepted ones still land;
//   5. commits all accepted edits in ONE commit on `branch`, made against `ref`
//      (GitHubClient::CommitFiles), with the idempotency key as a message trailer.
// The result carries the LLM's reply (truncated), the edits, the rejections and the cost: the
// engine records it in history for auditors. Nothing accepted is a result, not an error (the
// workflow's revalidation then fails as it should); `reason` says why.
//
// Idempotency: a repeated attempt (same idempotency_key) first looks at the branch head; if it is
// a commit on `ref` carrying this key, the earlier attempt's commit is returned (recovered=true)
// without asking the LLM again. Otherwise CommitFiles makes no second commit when the head
// already holds the same contents.
// Errors: kInvalidArgument (request fields); GitHub and Anthropic errors as their clients report
// them (kUnavailable/kDeadlineExceeded retryable); kConflict when the branch moved on from `ref`
// (the errors describe an older commit: validate the new head instead); the budget's refusals
// (kUnavailable with retry_after_ms over a rate, kResourceExhausted "LLM budget exhausted").
// Thread-safe if the clients are (they are); they must outlive the Autofixer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "activities/anthropic_client.h"
#include "activities/build/error_parsers.h"
#include "activities/edit_policy.h"
#include "activities/github_client.h"
#include "activities/llm_budget.h"
#include "engine/base/status.h"

namespace slipway::activities {

// JSON keys below are persisted (history): stable names.
struct FileEdit {
  std::string file;
  std::string old_text;
  std::string new_text;
  std::string reason;
};

struct RejectedEdit {
  FileEdit edit;
  std::string reason;  // why it was not applied
};

struct SkippedFile {
  std::string file;
  std::string reason;  // unsafe path, not found at ref, too large, over the total budget
};

struct LlmUsage {
  std::string model;
  std::string request_id;
  std::string stop_reason;
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  double cost_usd = 0;
};

struct AutofixRequest {
  std::string repo;    // under GitHubConfig::owner
  std::string branch;  // empty: the default branch
  std::string ref;     // commit the errors came from; empty: the branch head
  std::vector<build::BuildError> errors;
  std::string idempotency_key;  // same for every attempt of the step
  std::string tenant;           // whose LLM budget pays (AutofixOptions::budget)
};

struct AutofixResult {
  std::string commit_sha;  // empty when nothing was committed
  bool committed = false;  // a commit now holds the accepted edits (this or an earlier attempt)
  bool recovered = false;  // an earlier attempt with this key had already committed
  std::vector<FileEdit> accepted;
  std::vector<RejectedEdit> rejected;
  std::vector<std::string> files_sent;
  std::vector<SkippedFile> files_skipped;
  // Errors in files the edit policy keeps from the model: a human must fix them.
  std::vector<build::BuildError> errors_for_human;
  LlmUsage llm;        // zero when the LLM was not asked
  std::string reply_format;  // "tool_use" or "text": where the edits were read; empty: not asked
  // The LLM's text, then the tool call's input as JSON; truncated to max_reply_chars.
  std::string reply;
  std::string reason;  // why nothing was committed, or that an earlier commit was recovered
};

struct AutofixOptions {
  size_t max_file_bytes = 24 * 1024;   // a bigger file is not sent (edits need it whole)
  size_t max_total_bytes = 64 * 1024;  // all files sent together
  size_t max_files = 20;               // files sent (and read) at most
  size_t max_errors = 50;              // error lines in the prompt
  size_t max_edits = 50;               // edits considered from the reply
  size_t max_reply_chars = 16 * 1024;  // kept in the result
  int max_tokens = 4096;               // LLM output budget
  EditPolicy policy;                   // which files and edits the model may make
  // Rate and spend limits on LLM calls (llm_budget.h), asked right before the model is;
  // null: no limits. Its refusal is Run's error (kUnavailable: later; kResourceExhausted:
  // spent). Must outlive the Autofixer.
  LlmBudget* budget = nullptr;
};

nlohmann::json ToJson(const FileEdit& e);
nlohmann::json ToJson(const AutofixRequest& r);
nlohmann::json ToJson(const AutofixResult& r);
// Errors: kInvalidArgument naming the bad field.
Result<AutofixRequest> AutofixRequestFromJson(const nlohmann::json& j);
Result<AutofixResult> AutofixResultFromJson(const nlohmann::json& j);

class Autofixer {
 public:
  Autofixer(GitHubClient& github, AnthropicClient& llm, AutofixOptions options = {});
  Result<AutofixResult> Run(const AutofixRequest& request);

 private:
  struct Collected;
  Result<Collected> CollectFiles(const AutofixRequest& request, const std::string& ref);
  Result<bool> FindEarlierCommit(const AutofixRequest& request, const std::string& head,
                                 const std::string& ref, AutofixResult* result);
  Status AskAndCommit(const AutofixRequest& request, const std::string& ref, const Collected& files,
                      AutofixResult* result);

  GitHubClient& github_;
  AnthropicClient& llm_;
  const AutofixOptions options_;
};

}  // namespace slipway::activities
