// activities/autofix_edits.h: the pure parts of autofix (internal to activities/): the prompt,
// reading the LLM's reply, and deciding which edits may be applied.
//
// Pure functions; thread-safe.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "activities/autofix.h"

namespace slipway::activities {

struct SentFile {
  std::string path;
  std::string content;
};

extern const char* const kAutofixSystemPrompt;

// Errors as tsc prints them ("file(line,col): error CODE: message"), at most max_errors, then
// each file as a "--- FILE: path ---" ... "--- END FILE ---" block.
std::string BuildAutofixPrompt(const std::vector<build::BuildError>& errors,
                               const std::vector<SentFile>& files, size_t max_errors);

struct ParsedReply {
  bool is_list = false;                 // a JSON list was found in the reply
  std::vector<FileEdit> edits;          // well-formed items
  std::vector<RejectedEdit> malformed;  // items that were not {file, old_text, new_text, reason}
};
// Finds the JSON list in the reply (it may be wrapped in prose or a ``` fence).
ParsedReply ParseEditReply(const std::string& reply, size_t max_edits);

struct AppliedEdits {
  std::map<std::string, std::string> files;  // path -> content after the accepted edits
  std::vector<FileEdit> accepted;
  std::vector<RejectedEdit> rejected;
};
// Applies edits in order; an edit is accepted only when its file was sent, old_text is not empty,
// differs from new_text and occurs exactly once in the file as the earlier edits left it.
AppliedEdits ApplyEdits(const std::vector<SentFile>& files, const std::vector<FileEdit>& edits);

// True for a relative path inside the repository (no "..", not absolute, not node_modules).
bool IsEditablePath(const std::string& path);

}  // namespace slipway::activities
