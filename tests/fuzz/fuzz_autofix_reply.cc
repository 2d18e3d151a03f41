// tests/fuzz/fuzz_autofix_reply.cc: a model's reply to the autofix prompt, as the model (or
// whoever steers it through the tenant's code and errors) writes it.
//
// Runs what Autofixer::AskAndCommit does with a reply: the bytes as a text reply
// (ParseEditReply: find the edits in prose, fences, arrays, {edits}, {fixes: [{changes}]}) and,
// when they are JSON within the server's depth bound, as a tool call's input (ParseEditInput);
// then ApplyEdits under the default edit policy against the files that were "sent" (path
// policy, directives, emptied files, deleted lines), the path check on every proposed file, and
// the result's JSON form as history stores it (ToJson, read back by AutofixResultFromJson;
// serialised with the replacing error handler).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "activities/autofix_edits.h"
#include "activities/autofix_reply.h"
#include "activities/edit_policy.h"
#include "tests/fuzz/fuzz_json.h"

namespace {

using namespace slipway::activities;

constexpr size_t kMaxEdits = 50;

const std::vector<SentFile>& Files() {
  static const std::vector<SentFile> kFiles = {
      {"src/app/page.tsx",
       "export default function Page() {\n  const title: number = \"Home\";\n  return <h1>{title}</h1>;\n}\n"},
      {"src/lib/data.ts", "export const pages = [];\nexport const site = { name: 'Demo' };\n"},
      {"package.json", "{\"name\": \"site\", \"scripts\": {\"build\": \"tsc\"}}\n"},
  };
  return kFiles;
}

void Check(const ParsedReply& parsed, const std::string& reply) {
  if (parsed.edits.size() + parsed.malformed.size() > kMaxEdits + 1) __builtin_trap();
  for (const FileEdit& e : parsed.edits) {
    if (IsEditablePath(e.file)) (void)PathRefusal(EditPolicy{}, e.file);
  }
  AppliedEdits applied = ApplyEdits(Files(), parsed.edits, EditPolicy{});
  if (applied.accepted.size() + applied.rejected.size() != parsed.edits.size()) __builtin_trap();
  for (const FileEdit& e : applied.accepted) {
    if (e.file == "package.json" || DirectiveRefusal(e.old_text, e.new_text)) __builtin_trap();
  }

  AutofixResult result;
  result.accepted = applied.accepted;
  result.rejected = parsed.malformed;
  result.rejected.insert(result.rejected.end(), applied.rejected.begin(), applied.rejected.end());
  result.reply = reply.substr(0, 16 * 1024);
  const nlohmann::json j = ToJson(result);
  (void)slipway::fuzz::DumpReplacing(j);
  slipway::Result<AutofixResult> back = AutofixResultFromJson(j);
  if (!back.ok() || back->accepted.size() != result.accepted.size()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string reply(reinterpret_cast<const char*>(data), size);
  Check(ParseEditReply(reply, kMaxEdits), reply);
  const nlohmann::json input = slipway::fuzz::ParseBounded(reply);
  if (!input.is_discarded()) Check(ParseEditInput(input, kMaxEdits), reply);
  return 0;
}
