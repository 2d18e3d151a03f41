#include "activities/autofix.h"

#include <algorithm>
#include <set>
#include <string_view>

#include "activities/autofix_edits.h"
#include "activities/autofix_reply.h"
#include "engine/base/utf8.h"

namespace slipway::activities {

namespace {

constexpr const char* kTrailer = "Slipway-Idempotency-Key: ";

std::string OneLine(std::string s, size_t max) {
  for (char& c : s) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return TruncateUtf8(s, max, "...");  // never inside a character: dump() would throw
}

std::string CommitMessage(const std::vector<FileEdit>& accepted) {
  std::string m = "Fix build errors (automated)\n\n";
  for (const FileEdit& e : accepted) m += "- " + e.file + ": " + OneLine(e.reason, 120) + "\n";
  return m + "\nEdits proposed by an LLM and applied by Slipway's autofix step.";
}

// The accepted edits an earlier attempt's commit names, one "- <file>: <reason>" line each (see
// CommitMessage; their code is in the commit itself). A recovered commit counts its fixes.
std::vector<FileEdit> AcceptedFromMessage(const std::string& message) {
  std::vector<FileEdit> out;
  size_t pos = 0;
  while (pos < message.size()) {
    size_t end = message.find('\n', pos);
    if (end == std::string::npos) end = message.size();
    std::string_view line(message.data() + pos, end - pos);
    size_t colon = line.find(": ");
    if (line.size() > 2 && line.substr(0, 2) == "- " && colon != std::string_view::npos) {
      FileEdit e;
      e.file = std::string(line.substr(2, colon - 2));
      e.reason = std::string(line.substr(colon + 2));
      out.push_back(std::move(e));
    }
    pos = end + 1;
  }
  return out;
}

// The errors the prompt shows: those in the files sent, and those that name no file.
std::vector<build::BuildError> ErrorsToSend(const std::vector<build::BuildError>& errors,
                                            const std::vector<SentFile>& sent) {
  std::set<std::string> paths;
  for (const SentFile& f : sent) paths.insert(f.path);
  std::vector<build::BuildError> out;
  for (const build::BuildError& e : errors) {
    if (e.file.empty() || paths.count(e.file) > 0) out.push_back(e);
  }
  return out;
}

// Errors in files the edit policy keeps from the model (in the order reported).
std::vector<build::BuildError> ErrorsForHuman(const std::vector<build::BuildError>& errors,
                                              const EditPolicy& policy) {
  std::vector<build::BuildError> out;
  for (const build::BuildError& e : errors) {
    if (!e.file.empty() && IsEditablePath(e.file) && PathRefusal(policy, e.file)) out.push_back(e);
  }
  return out;
}

std::string FileList(const std::vector<build::BuildError>& errors) {
  std::set<std::string> files;
  std::string out;
  for (const build::BuildError& e : errors) {
    if (files.size() == 10) return out + ", ...";
    if (files.insert(e.file).second) out += (out.empty() ? "" : ", ") + e.file;
  }
  return out;
}

const ToolUse* FindToolUse(const MessageResult& reply) {
  for (const ToolUse& u : reply.tool_uses) {
    if (u.name == kEditToolName) return &u;
  }
  return nullptr;
}

// The edits from the tool call when there is one in a known shape, else from the text.
ParsedReply ReadReply(const MessageResult& reply, size_t max_edits, AutofixResult* result) {
  std::string seen = reply.text;
  const ToolUse* use = FindToolUse(reply);
  ParsedReply parsed;
  if (use != nullptr) {
    seen += (seen.empty() ? "" : "\n") +
            use->input.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    parsed = ParseEditInput(use->input, max_edits);
    result->reply_format = "tool_use";
  }
  if (!parsed.found) {
    parsed = ParseEditReply(reply.text, max_edits);
    result->reply_format = "text";
  }
  result->reply = seen;
  return parsed;
}

}  // namespace

struct Autofixer::Collected {
  std::vector<SentFile> sent;
  std::vector<SkippedFile> skipped;
};

Autofixer::Autofixer(GitHubClient& github, AnthropicClient& llm, AutofixOptions options)
    : github_(github), llm_(llm), options_(options) {}

Result<Autofixer::Collected> Autofixer::CollectFiles(const AutofixRequest& request,
                                                     const std::string& ref) {
  Collected c;
  std::set<std::string> seen;
  size_t total = 0;
  for (const build::BuildError& e : request.errors) {
    if (e.file.empty() || !seen.insert(e.file).second) continue;
    if (!IsEditablePath(e.file)) {
      c.skipped.push_back({e.file, "not a path inside the repository"});
      continue;
    }
    if (std::optional<std::string> why = PathRefusal(options_.policy, e.file)) {
      c.skipped.push_back({e.file, *why + "; its errors are left to a human"});
      continue;
    }
    if (c.sent.size() >= options_.max_files || total >= options_.max_total_bytes) {
      c.skipped.push_back({e.file, "over the budget of one request"});  // not even read
      continue;
    }
    Result<std::optional<GitHubFile>> f = github_.GetFile(request.repo, e.file, ref);
    if (!f.ok() && f.status().code() != Code::kInvalidArgument) return f.status();
    if (!f.ok() || !f->has_value()) {
      c.skipped.push_back({e.file, "not a file at " + ref});
      continue;
    }
    const std::string& content = (*f)->content;
    if (!IsValidUtf8(content)) {
      c.skipped.push_back({e.file, "not UTF-8 text"});  // a model edits text, not bytes
    } else if (content.size() > options_.max_file_bytes) {
      c.skipped.push_back(
          {e.file, "larger than " + std::to_string(options_.max_file_bytes) + " bytes"});
    } else if (total + content.size() > options_.max_total_bytes) {
      c.skipped.push_back({e.file, "over the " + std::to_string(options_.max_total_bytes) +
                                       "-byte budget of one request"});
    } else {
      total += content.size();
      c.sent.push_back({e.file, content});
    }
  }
  return c;
}

// True (and the result filled in) when the branch head is an earlier attempt's commit on ref.
Result<bool> Autofixer::FindEarlierCommit(const AutofixRequest& request, const std::string& head,
                                          const std::string& ref, AutofixResult* result) {
  if (request.idempotency_key.empty() || head == ref) return false;
  Result<GitCommitInfo> commit = github_.GetCommit(request.repo, head);
  if (!commit.ok()) return commit.status();
  bool on_ref =
      std::find(commit->parents.begin(), commit->parents.end(), ref) != commit->parents.end();
  if (!on_ref || commit->message.find(kTrailer + request.idempotency_key) == std::string::npos) {
    return false;
  }
  result->commit_sha = head;
  result->committed = true;
  result->recovered = true;
  result->accepted = AcceptedFromMessage(commit->message);
  result->reason = "an earlier attempt with this idempotency key committed " + head +
                   "; the LLM was not asked again";
  return true;
}

Status Autofixer::AskAndCommit(const AutofixRequest& request, const std::string& ref,
                               const Collected& files, AutofixResult* result) {
  MessageRequest ask;
  ask.system = kAutofixSystemPrompt;
  ask.user = BuildAutofixPrompt(ErrorsToSend(request.errors, files.sent), files.sent,
                                options_.max_errors);
  ask.max_tokens = options_.max_tokens;
  ask.tool = EditTool();
  if (options_.budget != nullptr) SLIPWAY_RETURN_IF_ERROR(options_.budget->Acquire(request.tenant));
  Result<MessageResult> reply = llm_.Send(ask);
  if (!reply.ok()) return reply.status();
  if (options_.budget != nullptr) options_.budget->Record(request.tenant, reply->cost_usd);
  result->llm = {reply->model,        reply->request_id,    reply->stop_reason,
                 reply->input_tokens, reply->output_tokens, reply->cost_usd};
  ParsedReply parsed = ReadReply(*reply, options_.max_edits, result);
  result->reply = TruncateUtf8(result->reply, options_.max_reply_chars);
  if (!parsed.found) {
    result->reason = reply->stop_reason == "max_tokens"
                         ? "the reply was cut off at max_tokens before its list of edits ended"
                         : "the model's reply holds no list of edits";
    return Status::Ok();
  }
  AppliedEdits applied = ApplyEdits(files.sent, parsed.edits, options_.policy);
  result->accepted = applied.accepted;
  result->rejected = parsed.malformed;
  result->rejected.insert(result->rejected.end(), applied.rejected.begin(), applied.rejected.end());
  if (applied.accepted.empty()) {
    result->reason = parsed.edits.empty() ? "the model proposed no edits"
                                          : "none of the model's edits could be applied";
    return Status::Ok();
  }
  CommitFilesRequest commit{request.repo,  request.branch,
                            applied.files, CommitMessage(applied.accepted),
                            ref,           request.idempotency_key};
  Result<CommitFilesResult> done = github_.CommitFiles(commit);
  if (!done.ok()) return done.status();
  result->commit_sha = done->commit_sha;
  result->committed = true;
  return Status::Ok();
}

Result<AutofixResult> Autofixer::Run(const AutofixRequest& request) {
  if (request.repo.empty()) return InvalidArgument("repo", "repository is empty");
  Result<std::string> head = github_.GetBranchHead(request.repo, request.branch);
  if (!head.ok()) return head.status();
  std::string ref = request.ref.empty() ? *head : request.ref;
  AutofixResult result;
  Result<bool> earlier = FindEarlierCommit(request, *head, ref, &result);
  if (!earlier.ok()) return earlier.status();
  if (*earlier) return result;
  if (request.errors.empty()) {
    result.reason = "no build errors to fix";
    return result;
  }
  Result<Collected> files = CollectFiles(request, ref);
  if (!files.ok()) return files.status();
  for (const SentFile& f : files->sent) result.files_sent.push_back(f.path);
  result.files_skipped = files->skipped;
  result.errors_for_human = ErrorsForHuman(request.errors, options_.policy);
  if (files->sent.empty()) {
    result.reason = result.errors_for_human.empty()
                        ? "no file named by the errors could be sent to the model"
                        : "the errors are in files the model may not edit (" +
                              FileList(result.errors_for_human) +
                              "): they are left to a human and the model was not asked";
    return result;
  }
  SLIPWAY_RETURN_IF_ERROR(AskAndCommit(request, ref, *files, &result));
  return result;
}

}  // namespace slipway::activities
