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
//
// Tool use: a request with `tools` (each {name, input_schema: {"type": "object", ...}}) and a
// tool_choice other than "none" is answered as the real API does, with a `tool_use` block
// {"type": "tool_use", "id": "toolu_...", "name", "input": {"edits": [...]}} and stop_reason
// "tool_use" (the emulator knows only Slipway's edit tool: every tool gets that input). A forced
// choice ({"type": "tool", "name"} or "any") gets the tool_use block alone; "auto" gets a
// thinking block and a text block before it. Like Claude Sonnet 5.5, a model named
// claude-sonnet-5-5* answers a forced choice with 400 (the message text is the emulator's own).
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

// Which tool the reply calls ("" for a text reply), or why the request is invalid.
struct ToolPlan {
  std::string tool;
  bool forced = false;
  std::string error;
};

std::string CheckTools(const nlohmann::json& tools, std::set<std::string>* names) {
  if (!tools.is_array()) return "tools: Input should be a valid list";
  for (size_t i = 0; i < tools.size(); ++i) {
    const nlohmann::json& t = tools[i];
    std::string at = "tools." + std::to_string(i);
    if (!t.is_object() || !t.contains("name") || !t["name"].is_string() ||
        t["name"].get<std::string>().empty()) {
      return at + ".name: Field required";
    }
    if (!t.contains("input_schema") || !t["input_schema"].is_object() ||
        t["input_schema"].value("type", "") != "object") {
      return at + ".input_schema: an object schema ({\"type\": \"object\"}) is required";
    }
    names->insert(t["name"].get<std::string>());
  }
  return "";
}

ToolPlan PlanTools(const nlohmann::json& body) {
  ToolPlan p;
  if (!body.contains("tools")) return p;
  std::set<std::string> names;
  p.error = CheckTools(body["tools"], &names);
  if (!p.error.empty() || names.empty()) return p;
  nlohmann::json choice = body.value("tool_choice", nlohmann::json{{"type", "auto"}});
  std::string type = choice.is_object() ? choice.value("type", "") : "";
  std::string first = body["tools"][0]["name"];
  if (type == "none") return p;
  if (type == "auto" || type == "any") {
    p.tool = first;
    p.forced = type == "any";
  } else if (type == "tool") {
    std::string name = choice.value("name", "");
    if (names.count(name) == 0) p.error = "tool_choice.name: no tool named '" + name + "' in tools";
    p.tool = name;
    p.forced = true;
  } else {
    p.error = "tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'";
  }
  std::string model = body["model"].is_string() ? body["model"].get<std::string>() : "";
  if (p.error.empty() && p.forced && model.rfind("claude-sonnet-5-5", 0) == 0) {
    p.error = "tool_choice: forced tool use is not supported by " + model +
              "; use tool_choice {\"type\": \"auto\"}";
  }
  return p;
}

// The content blocks: text (split over two blocks after a thinking block), or a tool call.
nlohmann::json Content(const ToolPlan& plan, const nlohmann::json& edits, int64_t n,
                       std::string* output) {
  nlohmann::json thinking = {
      {"type", "thinking"}, {"thinking", "Reading the build errors."}, {"signature", "emu"}};
  if (plan.tool.empty()) {
    *output = edits.dump();
    // Split on a character boundary: edits may quote non-ASCII source lines.
    size_t half = TruncateUtf8(*output, output->size() / 2).size();
    return {thinking, {{"type", "text"}, {"text", output->substr(0, half)}},
            {{"type", "text"}, {"text", output->substr(half)}}};
  }
  nlohmann::json input = {{"edits", edits}};
  *output = input.dump();
  nlohmann::json call = {{"type", "tool_use"},
                         {"id", "toolu_emu" + std::to_string(n)},
                         {"name", plan.tool},
                         {"input", input}};
  if (plan.forced) return nlohmann::json::array({call});
  return {thinking, {{"type", "text"}, {"text", "I will propose the edits with the tool."}}, call};
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
  ToolPlan plan = PlanTools(body);
  if (!plan.error.empty()) return Error(s, 400, plan.error);
  std::string prompt = UserText(body["messages"]);
  int64_t n = ++s.request_counter;
  std::string id = "req_emu" + std::to_string(n);
  std::string output;
  nlohmann::json content = Content(plan, Edits(prompt), n, &output);
  nlohmann::json out = {
      {"id", "msg_emu" + std::to_string(n)},
      {"type", "message"},
      {"role", "assistant"},
      {"model", body["model"]},
      {"content", content},
      {"stop_reason", plan.tool.empty() ? "end_turn" : "tool_use"},
      {"stop_sequence", nullptr},
      {"usage", {{"input_tokens", std::max<size_t>(1, (prompt.size() + 3) / 4)},
                 {"output_tokens", std::max<size_t>(1, (output.size() + 3) / 4)},
                 {"cache_creation_input_tokens", 0},
                 {"cache_read_input_tokens", 0}}}};
  EmuResponse resp = Json(200, out);
  resp.headers.emplace_back("request-id", id);
  resp.effect = "message";
  resp.subject = body["model"].is_string() ? body["model"].get<std::string>() : "";
  return resp;
}

}  // namespace slipway::emulator
