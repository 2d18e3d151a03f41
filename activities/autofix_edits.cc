#include "activities/autofix_edits.h"

#include <nlohmann/json.hpp>
#include <set>

namespace slipway::activities {

namespace {

using nlohmann::json;

size_t CountOccurrences(const std::string& text, const std::string& needle) {
  size_t count = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos && count < 2;
       pos = text.find(needle, pos + 1)) {
    ++count;
  }
  return count;
}

std::string ErrorLine(const build::BuildError& e) {
  std::string where = e.file.empty() ? "" : e.file;
  if (!where.empty() && e.line > 0) {
    where += "(" + std::to_string(e.line) + "," + std::to_string(std::max(1, e.column)) + ")";
  }
  std::string head = where.empty() ? "error" : where + ": error";
  if (!e.code.empty()) head += " " + e.code;
  return head + ": " + e.message + "  [" + e.tool + "]";
}

}  // namespace

const char* const kAutofixSystemPrompt =
    "You fix build errors in a small TypeScript website. You are given the build errors and the "
    "full text of the files they point at. Answer by calling the propose_edits tool with a list "
    "of edits, each {\"file\": path as given, \"old_text\": text copied exactly from that file, "
    "occurring exactly once in it, \"new_text\": its replacement, \"reason\": one short "
    "sentence}. If you cannot call the tool, reply with only the JSON object {\"edits\": [...]}. "
    "Keep edits minimal and edit only the files shown. Fix the code itself: edits that add "
    "@ts-ignore, @ts-expect-error, @ts-nocheck or eslint-disable comments, empty a file or delete "
    "large parts of it are refused. Propose no edits when you cannot fix an error safely.";

const char* const kEditToolName = "propose_edits";

ToolSpec EditTool() {
  json edit = {{"type", "object"},
               {"properties",
                {{"file", {{"type", "string"}, {"description", "path as given in the prompt"}}},
                 {"old_text",
                  {{"type", "string"},
                   {"description", "text copied exactly from the file, occurring once in it"}}},
                 {"new_text", {{"type", "string"}, {"description", "its replacement"}}},
                 {"reason", {{"type", "string"}, {"description", "one short sentence"}}}}},
               {"required", {"file", "old_text", "new_text"}}};
  json schema = {{"type", "object"},
                 {"properties", {{"edits", {{"type", "array"}, {"items", edit}}}}},
                 {"required", {"edits"}}};
  return {kEditToolName,
          "Propose the edits that fix the build errors; an empty list when none is safe.",
          schema};
}

bool IsEditablePath(const std::string& path) {
  if (path.empty() || path.front() == '/' || path.find('\\') != std::string::npos) return false;
  if (path.find("node_modules/") != std::string::npos) return false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    std::string seg =
        path.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (seg.empty() || seg == "." || seg == "..") return false;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return true;
}

std::string BuildAutofixPrompt(const std::vector<build::BuildError>& errors,
                               const std::vector<SentFile>& files, size_t max_errors) {
  std::string p = "The build failed with these errors:\n\n";
  for (size_t i = 0; i < errors.size() && i < max_errors; ++i) p += ErrorLine(errors[i]) + "\n";
  if (errors.size() > max_errors) {
    p += "(" + std::to_string(errors.size() - max_errors) + " more errors not shown)\n";
  }
  p += "\nThe files:\n\n";
  for (const SentFile& f : files) {
    p += "--- FILE: " + f.path + " ---\n" + f.content;
    if (!f.content.empty() && f.content.back() != '\n') p += "\n";
    p += "--- END FILE ---\n\n";
  }
  return p + "Call propose_edits with the edits.";
}

namespace {

// An edit to one file that was sent, checked against the file as the earlier edits left it.
struct Placed {
  std::string refusal;  // empty: the edit may be applied
  std::string after;    // the file with the edit applied
  long deleted = 0;     // net lines removed from the file with this edit
};

Placed Place(const FileEdit& e, const std::string& content, long deleted_before,
             const EditPolicy& policy) {
  Placed p;
  size_t n = e.old_text.empty() ? 0 : CountOccurrences(content, e.old_text);
  if (e.old_text.empty()) {
    p.refusal = "old_text is empty";
  } else if (e.old_text == e.new_text) {
    p.refusal = "old_text and new_text are the same";
  } else if (n != 1) {
    p.refusal = n == 0 ? "old_text does not occur in " + e.file
                       : "old_text occurs more than once in " + e.file + " (ambiguous)";
  } else if (std::optional<std::string> why = DirectiveRefusal(e.old_text, e.new_text)) {
    p.refusal = *why;
  }
  if (!p.refusal.empty()) return p;
  p.after = content;
  p.after.replace(p.after.find(e.old_text), e.old_text.size(), e.new_text);
  p.deleted = deleted_before + NetDeletedLines(e.old_text, e.new_text);
  if (IsBlank(p.after) && !IsBlank(content)) {
    p.refusal = "edit policy: the edit would leave " + e.file + " empty";
  } else if (p.deleted > static_cast<long>(policy.max_deleted_lines)) {
    p.refusal = "edit policy: the edits would delete " + std::to_string(p.deleted) +
                " lines (net) from " + e.file + ", more than the " +
                std::to_string(policy.max_deleted_lines) + " allowed";
  }
  return p;
}

}  // namespace

AppliedEdits ApplyEdits(const std::vector<SentFile>& files, const std::vector<FileEdit>& edits,
                        const EditPolicy& policy) {
  std::map<std::string, std::string> work;
  for (const SentFile& f : files) work[f.path] = f.content;
  std::map<std::string, long> deleted;  // net lines removed so far, per file
  AppliedEdits out;
  std::set<std::string> touched;
  for (const FileEdit& e : edits) {
    auto f = work.find(e.file);
    Placed p;
    if (!IsEditablePath(e.file)) {
      p.refusal = "file " + e.file + " is not a path inside the repository";
    } else if (std::optional<std::string> why = PathRefusal(policy, e.file)) {
      p.refusal = *why;
    } else if (f == work.end()) {
      p.refusal = "file " + e.file + " was not sent to the model";
    } else {
      p = Place(e, f->second, deleted[e.file], policy);
    }
    if (!p.refusal.empty()) {
      out.rejected.push_back({e, p.refusal});
      continue;
    }
    f->second = std::move(p.after);
    deleted[e.file] = p.deleted;
    touched.insert(e.file);
    out.accepted.push_back(e);
  }
  for (const std::string& path : touched) out.files[path] = work[path];
  return out;
}

}  // namespace slipway::activities
