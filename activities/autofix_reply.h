// activities/autofix_reply.h: reading the model's list of edits out of its reply (internal to
// activities/).
//
// The autofix request forces a tool call whose input is {"edits": [...]}; ParseEditInput reads
// that input. Models do not always call the tool (a model that rejects forced tool use, a proxy,
// an old prompt), so ParseEditReply reads the shapes models really write in text:
//   - a bare JSON array of edits: [{"file", "old_text", "new_text", "reason"}];
//   - an object with "edits": {"edits": [...]};
//   - an object with "fixes": {"fixes": [{"file", "changes": [{"oldCode", "newCode"}]}]};
//   - both, with more keys: {"summary", "fixes": [...], "edits": [...]} (an edit found in both
//     lists counts once; a "fixes" item without text to replace is a description, not an edit);
// each possibly inside a ``` fence or after prose. Field names are read with their common
// spellings: file|path|filename, old_text|oldText|oldCode|old_code,
// new_text|newText|newCode|new_code, reason|explanation|description.
// Bounded: at most max_edits items are read, JSON nesting over 32 levels is not parsed, and at
// most 64 candidate spans of the text are tried (each a linear scan). Pure; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "activities/autofix.h"

namespace slipway::activities {

struct ParsedReply {
  bool found = false;                   // a list of edits (possibly empty) was found
  std::vector<FileEdit> edits;          // well-formed items, in order, duplicates dropped
  std::vector<RejectedEdit> malformed;  // items that could not be read as an edit
};

// Reads a tool call's input (or any parsed JSON value) in the shapes above.
ParsedReply ParseEditInput(const nlohmann::json& input, size_t max_edits);

// Finds the edits in a text reply: the first JSON span holding a known shape with at least one
// item wins; failing that, the first known shape with none ("[]": no edits proposed).
ParsedReply ParseEditReply(const std::string& reply, size_t max_edits);

}  // namespace slipway::activities
