// tests/fuzz/fuzz_autofix_reply.cc: a model's reply to the autofix prompt, as the model (or
// whoever steers it through the tenant's code and errors) writes it.
//
// Runs what Autofixer::AskAndCommit does with the reply text: ParseEditReply (find the JSON
// list, read the edits), ApplyEdits against the files that were "sent", the path check on
// every proposed file, and the result's JSON form as history stores it (ToJson, read back
// by AutofixResultFromJson; serialised with the replacing error handler).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "activities/autofix_edits.h"
#include "tests/fuzz/fuzz_json.h"

namespace {

using namespace slipway::activities;

const std::vector<SentFile>& Files() {
  static const std::vector<SentFile> kFiles = {
      {"src/app/page.tsx",
       "export default function Page() {\n  const title: number = \"Home\";\n  return <h1>{title}</h1>;\n}\n"},
      {"src/lib/data.ts", "export const pages = [];\nexport const site = { name: 'Demo' };\n"},
  };
  return kFiles;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string reply(reinterpret_cast<const char*>(data), size);
  constexpr size_t kMaxEdits = 50;
  ParsedReply parsed = ParseEditReply(reply, kMaxEdits);
  if (parsed.edits.size() + parsed.malformed.size() > kMaxEdits + 1) __builtin_trap();
  for (const FileEdit& e : parsed.edits) (void)IsEditablePath(e.file);
  AppliedEdits applied = ApplyEdits(Files(), parsed.edits);
  if (applied.accepted.size() + applied.rejected.size() != parsed.edits.size()) __builtin_trap();

  AutofixResult result;
  result.accepted = applied.accepted;
  result.rejected = parsed.malformed;
  result.rejected.insert(result.rejected.end(), applied.rejected.begin(), applied.rejected.end());
  result.reply = reply.substr(0, 16 * 1024);
  const nlohmann::json j = ToJson(result);
  (void)slipway::fuzz::DumpReplacing(j);
  slipway::Result<AutofixResult> back = AutofixResultFromJson(j);
  if (!back.ok() || back->accepted.size() != result.accepted.size()) __builtin_trap();
  return 0;
}
