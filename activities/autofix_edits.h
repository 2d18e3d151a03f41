// activities/autofix_edits.h: the pure parts of autofix (internal to activities/): the prompt,
// the tool the model answers through, and deciding which edits may be applied (reading the
// reply is autofix_reply.h).
//
// Pure functions; thread-safe.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "activities/autofix.h"
#include "activities/edit_policy.h"

namespace slipway::activities {

struct SentFile {
  std::string path;
  std::string content;
};

extern const char* const kAutofixSystemPrompt;

// The tool the model is asked to call. Its input_schema is an object whose required "edits" is
// an array of {file, old_text, new_text, reason} (all strings; reason optional).
extern const char* const kEditToolName;
ToolSpec EditTool();

// Errors as tsc prints them ("file(line,col): error CODE: message"), at most max_errors, then
// each file as a "--- FILE: path ---" ... "--- END FILE ---" block.
std::string BuildAutofixPrompt(const std::vector<build::BuildError>& errors,
                               const std::vector<SentFile>& files, size_t max_errors);

struct AppliedEdits {
  std::map<std::string, std::string> files;  // path -> content after the accepted edits
  std::vector<FileEdit> accepted;
  std::vector<RejectedEdit> rejected;
};
// Applies edits in order. An edit is accepted only when the policy lets the model edit its file,
// the file was sent, old_text is not empty, differs from new_text and occurs exactly once in the
// file as the earlier edits left it, new_text adds no directive that switches a check off, the
// file is not left blank, and the file's net deleted lines stay within the policy's limit.
// Every other edit is rejected with its reason.
AppliedEdits ApplyEdits(const std::vector<SentFile>& files, const std::vector<FileEdit>& edits,
                        const EditPolicy& policy);

// True for a relative path inside the repository (no "..", not absolute, not node_modules).
bool IsEditablePath(const std::string& path);

}  // namespace slipway::activities
