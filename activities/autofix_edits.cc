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

std::optional<FileEdit> EditFrom(const json& item) {
  if (!item.is_object()) return std::nullopt;
  for (const char* key : {"file", "old_text", "new_text"}) {
    if (!item.contains(key) || !item[key].is_string()) return std::nullopt;
  }
  FileEdit e{item["file"], item["old_text"], item["new_text"], ""};
  if (item.contains("reason") && item["reason"].is_string()) e.reason = item["reason"];
  return e;
}

}  // namespace

const char* const kAutofixSystemPrompt =
    "You fix build errors in a small TypeScript website. You are given the build errors and the "
    "full text of the files they point at. Reply with ONLY a JSON array of edits, each "
    "{\"file\": path as given, \"old_text\": text copied exactly from that file, occurring exactly "
    "once in it, \"new_text\": its replacement, \"reason\": one short sentence}. Keep edits "
    "minimal, edit only the files shown, and reply [] when you cannot fix an error safely.";

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
  return p + "Reply with the JSON array of edits only.";
}

ParsedReply ParseEditReply(const std::string& reply, size_t max_edits) {
  ParsedReply out;
  size_t open = reply.find('[');
  size_t close = reply.rfind(']');
  if (open == std::string::npos || close == std::string::npos || close < open) return out;
  json list = json::parse(reply.substr(open, close - open + 1), nullptr, false);
  if (!list.is_array()) return out;
  out.is_list = true;
  for (const json& item : list) {
    if (out.edits.size() + out.malformed.size() >= max_edits) {
      out.malformed.push_back({FileEdit{}, "more than " + std::to_string(max_edits) +
                                               " edits: the rest were not considered"});
      break;
    }
    std::optional<FileEdit> e = EditFrom(item);
    if (e) {
      out.edits.push_back(std::move(*e));
    } else {
      out.malformed.push_back(
          {FileEdit{}, "not an object with string fields file, old_text and new_text"});
    }
  }
  return out;
}

AppliedEdits ApplyEdits(const std::vector<SentFile>& files, const std::vector<FileEdit>& edits) {
  std::map<std::string, std::string> work;
  for (const SentFile& f : files) work[f.path] = f.content;
  AppliedEdits out;
  std::set<std::string> touched;
  for (const FileEdit& e : edits) {
    auto f = work.find(e.file);
    std::string why;
    if (f == work.end()) {
      why = "file " + e.file + " was not sent to the model";
    } else if (e.old_text.empty()) {
      why = "old_text is empty";
    } else if (e.old_text == e.new_text) {
      why = "old_text and new_text are the same";
    } else {
      size_t n = CountOccurrences(f->second, e.old_text);
      if (n == 0) why = "old_text does not occur in " + e.file;
      if (n > 1) why = "old_text occurs more than once in " + e.file + " (ambiguous)";
    }
    if (!why.empty()) {
      out.rejected.push_back({e, why});
      continue;
    }
    f->second.replace(f->second.find(e.old_text), e.old_text.size(), e.new_text);
    touched.insert(e.file);
    out.accepted.push_back(e);
  }
  for (const std::string& path : touched) out.files[path] = work[path];
  return out;
}

}  // namespace slipway::activities
