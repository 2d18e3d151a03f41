// tools/emulator/anthropic_routes.cc: POST /v1/messages, answered by a small rule table instead
// of a model (shapes: shared/reference/external-apis.md part C).
//
// The prompt (all user text joined) is read for TypeScript errors in tsc's form
//   path(line,col): error TSnnnn: message
// and for the files they name, sent as blocks
//   --- FILE: path ---
//   <content>
//   --- END FILE ---
// The reply's text is a JSON array of edits [{"file","old_text","new_text","reason"}], one per
// error the table can fix (old_text is the whole offending line):
//   TS2304 Cannot find name 'X'        X -> the file's identifier nearest to X (edit distance <= 2)
//   TS2304 Cannot find name 'xCount'   (no near identifier) when the file loops
//                                      `for (const x of EXPR)`: xCount -> EXPR.length
//   TS2322 Type 'string' is not assignable to type 'number'
//                                      the line's first quoted number literal loses its quotes
//   TS2322 Type 'number' is not assignable to type 'string'
//                                      the assigned expression `= EXPR;` becomes `= String(EXPR);`
// Any other error gets no edit, so a prompt with only unknown errors gets "[]". The reply starts
// with a thinking block, and its text is split over two text blocks (clients must join them).
#include <set>
#include <sstream>

#include "engine/base/utf8.h"
#include "tools/emulator/emulator_state.h"
#include "tools/emulator/text_scan.h"

namespace slipway::emulator {

namespace {

std::string LineOf(const std::string& content, int line) {
  std::istringstream in(content);
  std::string text;
  for (int i = 1; std::getline(in, text); ++i) {
    if (i == line) return text;
  }
  return "";
}

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    }
    prev.swap(cur);
  }
  return prev[b.size()];
}

std::optional<nlohmann::json> FixUnknownName(const TsError& e, const std::string& content,
                                             const std::string& line) {
  std::optional<std::string> name = MissingName(e.message);
  if (!name) return {};
  const std::string& missing = *name;
  std::string best;
  size_t best_distance = 3;
  for (const std::string& id : Identifiers(content)) {
    // The distance is at least the difference in length: skip the ones that cannot be near.
    if (id.size() + 2 < missing.size() || missing.size() + 2 < id.size()) continue;
    size_t d = EditDistance(id, missing);
    if (id != missing && d < best_distance) {
      best = id;
      best_distance = d;
    }
  }
  std::string reason = "'" + missing + "' is not defined; the file defines '" + best + "'";
  if (best.empty()) {
    // "pageCount" in a file that loops `for (const page of site.pages)`: the loop's length.
    if (missing.size() <= 5 || missing.compare(missing.size() - 5, 5, "Count") != 0) return {};
    std::optional<std::string> source =
        LoopSource(content, missing.substr(0, missing.size() - 5));
    if (!source) return {};
    best = *source + ".length";
    reason = "'" + missing + "' is not defined; it counts the items of " + *source;
  }
  std::string fixed = ReplaceWord(line, missing, best);
  return nlohmann::json{{"file", e.file}, {"old_text", line}, {"new_text", fixed},
                        {"reason", reason}};
}

std::optional<nlohmann::json> FixNumberForString(const TsError& e, const std::string& line) {
  if (e.message.find("Type 'number' is not assignable to type 'string'") == std::string::npos) {
    return {};
  }
  std::optional<std::pair<std::string, std::string>> parts = SplitAssignment(line);
  if (!parts) return {};
  std::string fixed = parts->first + "String(" + parts->second + ");";
  return nlohmann::json{{"file", e.file}, {"old_text", line}, {"new_text", fixed},
                        {"reason", "a number was assigned where a string is declared"}};
}

std::optional<nlohmann::json> FixStringForNumber(const TsError& e, const std::string& line) {
  if (e.message.find("Type 'string' is not assignable to type 'number'") == std::string::npos) {
    return {};
  }
  std::optional<QuotedNumber> q = FindQuotedNumber(line);
  if (!q) return {};
  std::string fixed = line.substr(0, q->position) + q->number + line.substr(q->position + q->length);
  return nlohmann::json{{"file", e.file}, {"old_text", line}, {"new_text", fixed},
                        {"reason", "a number was written as a string literal"}};
}

nlohmann::json Edits(const std::string& prompt) {
  std::map<std::string, std::string> files = FindFileBlocks(prompt);
  nlohmann::json edits = nlohmann::json::array();
  std::set<std::string> seen;
  for (const TsError& e : FindTsErrors(prompt)) {
    auto f = files.find(e.file);
    if (f == files.end()) continue;
    std::string line = LineOf(f->second, e.line);
    if (line.empty() || !seen.insert(e.file + "\n" + line).second) continue;
    std::optional<nlohmann::json> edit = FixUnknownName(e, f->second, line);
    if (!edit) edit = FixStringForNumber(e, line);
    if (!edit) edit = FixNumberForString(e, line);
    if (edit) edits.push_back(*edit);
  }
  return edits;
}

std::string UserText(const nlohmann::json& messages) {
  std::string text;
  for (const auto& m : messages) {
    if (m.value("role", "") != "user") continue;
    const nlohmann::json& c = m["content"];
    if (c.is_string()) text += c.get<std::string>() + "\n";
    if (c.is_array()) {
      for (const auto& block : c) {
        if (block.value("type", "") == "text") text += block.value("text", "") + "\n";
      }
    }
  }
  return text;
}

EmuResponse Error(EmulatorState& s, int status, const std::string& message) {
  return FamilyError(s, Family::kAnthropic, status, message);
}

}  // namespace

EmuResponse HandleAnthropic(EmulatorState& s, const EmuRequest& req) {
  if (req.method != "POST" || req.path != "/v1/messages") return Error(s, 404, "Not found");
  std::string key = req.Header("x-api-key");
  if (key.empty() || (!s.options.anthropic_key.empty() && key != s.options.anthropic_key)) {
    return Error(s, 401, "invalid x-api-key");
  }
  if (req.Header("anthropic-version").empty()) {
    return Error(s, 400, "anthropic-version: header is required");
  }
  nlohmann::json body = ParseObject(req.body);
  if (body.is_null() || !body.contains("model") || !body.contains("max_tokens") ||
      !body.contains("messages") || !body["messages"].is_array()) {
    return Error(s, 400, "model, max_tokens and messages are required");
  }
  std::string prompt = UserText(body["messages"]);
  std::string text = Edits(prompt).dump();
  std::string id = "req_emu" + std::to_string(++s.request_counter);
  // Split on a character boundary: edits may quote non-ASCII source lines.
  size_t half = TruncateUtf8(text, text.size() / 2).size();
  nlohmann::json out = {
      {"id", "msg_emu" + std::to_string(s.request_counter.load())},
      {"type", "message"},
      {"role", "assistant"},
      {"model", body["model"]},
      {"content", {{{"type", "thinking"}, {"thinking", "Reading the build errors."}, {"signature", "emu"}},
                   {{"type", "text"}, {"text", text.substr(0, half)}},
                   {{"type", "text"}, {"text", text.substr(half)}}}},
      {"stop_reason", "end_turn"},
      {"stop_sequence", nullptr},
      {"usage", {{"input_tokens", std::max<size_t>(1, (prompt.size() + 3) / 4)},
                 {"output_tokens", std::max<size_t>(1, (text.size() + 3) / 4)},
                 {"cache_creation_input_tokens", 0},
                 {"cache_read_input_tokens", 0}}}};
  EmuResponse resp = Json(200, out);
  resp.headers.emplace_back("request-id", id);
  resp.effect = "message";
  resp.subject = body["model"].is_string() ? body["model"].get<std::string>() : "";
  return resp;
}

}  // namespace slipway::emulator
