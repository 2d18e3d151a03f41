#include "activities/autofix_reply.h"

#include <initializer_list>
#include <set>
#include <string_view>

#include "engine/base/json_depth.h"

namespace slipway::activities {

namespace {

using nlohmann::json;

constexpr int kMaxDepth = 32;          // deeper JSON is not parsed (nlohmann recurses)
constexpr int kMaxCandidates = 256;    // JSON spans of a text reply tried at most
constexpr size_t kMaxTextBytes = 1 << 20;  // a reply to a 4096-token request is ~16 KB

constexpr std::initializer_list<const char*> kFileKeys = {"file", "path", "filename"};
constexpr std::initializer_list<const char*> kOldKeys = {"old_text", "oldText", "oldCode",
                                                         "old_code"};
constexpr std::initializer_list<const char*> kNewKeys = {"new_text", "newText", "newCode",
                                                         "new_code"};
constexpr std::initializer_list<const char*> kReasonKeys = {"reason", "explanation",
                                                            "description"};

const json* Field(const json& o, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    auto it = o.find(n);
    if (it != o.end()) return &*it;
  }
  return nullptr;
}

std::string StringField(const json& o, std::initializer_list<const char*> names) {
  const json* f = Field(o, names);
  return f != nullptr && f->is_string() ? f->get<std::string>() : "";
}

json ParseBounded(std::string_view text) {
  if (JsonNestsDeeperThan(text, kMaxDepth)) return json(json::value_t::discarded);
  return json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
}

// Collects edits up to max_edits, dropping exact duplicates.
class Collector {
 public:
  explicit Collector(size_t max_edits) : max_(max_edits) {}

  // False (and the overflow noted once) when no more items may be read.
  bool Room() {
    if (out.edits.size() + out.malformed.size() < max_) return true;
    if (!full_) {
      out.malformed.push_back({FileEdit{}, "more than " + std::to_string(max_) +
                                               " edits: the rest were not considered"});
      full_ = true;
    }
    return false;
  }
  void Malformed() {
    out.malformed.push_back(
        {FileEdit{}, "not an object with string fields file, old_text and new_text"});
  }
  void Add(FileEdit e) {
    if (seen_.insert(e.file + '\0' + e.old_text + '\0' + e.new_text).second) {
      out.edits.push_back(std::move(e));
    }
  }
  ParsedReply out;

 private:
  size_t max_;
  bool full_ = false;
  std::set<std::string> seen_;
};

// {file, old_text, new_text, reason?}; `file` and `reason` may come from the enclosing fix.
void ReadEdit(const json& item, const std::string& parent_file, const std::string& parent_reason,
              Collector& c) {
  if (!item.is_object()) return c.Malformed();
  const json* file = Field(item, kFileKeys);
  const json* old_text = Field(item, kOldKeys);
  const json* new_text = Field(item, kNewKeys);
  std::string f = file == nullptr ? parent_file : file->is_string() ? file->get<std::string>() : "";
  if (f.empty() || old_text == nullptr || !old_text->is_string() || new_text == nullptr ||
      !new_text->is_string()) {
    return c.Malformed();
  }
  std::string reason = StringField(item, kReasonKeys);
  c.Add({f, old_text->get<std::string>(), new_text->get<std::string>(),
         reason.empty() ? parent_reason : reason});
}

// {file, changes: [edit...]}, or an edit itself. An item with neither changes nor text to
// replace describes a fix (a summary's list): nothing to apply, nothing to reject.
void ReadFix(const json& item, Collector& c) {
  if (!item.is_object()) return c.Malformed();
  const json* changes = Field(item, {"changes"});
  if (changes == nullptr) {
    if (Field(item, kOldKeys) != nullptr || Field(item, kNewKeys) != nullptr) {
      ReadEdit(item, "", "", c);
    }
    return;
  }
  if (!changes->is_array()) return c.Malformed();
  std::string file = StringField(item, kFileKeys), reason = StringField(item, kReasonKeys);
  for (const json& change : *changes) {
    if (!c.Room()) return;
    ReadEdit(change, file, reason, c);
  }
}

void ReadList(const json& list, bool fixes, Collector& c) {
  for (const json& item : list) {
    if (!c.Room()) return;
    if (fixes || (item.is_object() && item.contains("changes"))) {
      ReadFix(item, c);
    } else {
      ReadEdit(item, "", "", c);
    }
  }
}

bool HoldsAnObject(const json& list) {
  if (list.empty()) return true;
  for (const json& item : list) {
    if (item.is_object()) return true;
  }
  return false;  // [1, 2] quoted from the code is not a list of edits
}

// `nested`: the value came from a string inside the reply ({"edits": "[...]"}); once only.
ParsedReply Read(const json& v, size_t max_edits, bool nested) {
  if (v.is_string() && !nested) {
    json inner = ParseBounded(v.get_ref<const std::string&>());
    return inner.is_discarded() ? ParsedReply{} : Read(inner, max_edits, true);
  }
  Collector c(max_edits);
  if (v.is_array() && HoldsAnObject(v)) {
    c.out.found = true;
    ReadList(v, false, c);
  } else if (v.is_object()) {
    const json* edits = Field(v, {"edits"});
    const json* fixes = Field(v, {"fixes"});
    if (edits != nullptr && edits->is_string() && !nested) return Read(*edits, max_edits, false);
    if (edits != nullptr && edits->is_array()) {
      c.out.found = true;
      ReadList(*edits, false, c);
    }
    if (fixes != nullptr && fixes->is_array()) {
      c.out.found = true;
      ReadList(*fixes, true, c);
    }
    if (!c.out.found && Field(v, kOldKeys) != nullptr && Field(v, kFileKeys) != nullptr) {
      c.out.found = true;  // one edit, not in a list
      ReadEdit(v, "", "", c);
    }
  }
  return std::move(c.out);
}

// One past the end of the JSON value that opens at text[begin] ('[' or '{'), skipping brackets
// inside strings; npos when it never closes. Linear, no recursion.
size_t SpanEnd(std::string_view text, size_t begin) {
  size_t depth = 0;
  bool in_string = false, escaped = false;
  for (size_t i = begin; i < text.size(); ++i) {
    char ch = text[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (ch == '\\') {
        escaped = true;
      } else if (ch == '"') {
        in_string = false;
      }
    } else if (ch == '"') {
      in_string = true;
    } else if (ch == '[' || ch == '{') {
      ++depth;
    } else if ((ch == ']' || ch == '}') && --depth == 0) {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

}  // namespace

ParsedReply ParseEditInput(const json& input, size_t max_edits) {
  return Read(input, max_edits, false);
}

ParsedReply ParseEditReply(const std::string& reply, size_t max_edits) {
  std::string_view text(reply.data(), std::min(reply.size(), kMaxTextBytes));
  ParsedReply first_empty;
  size_t pos = text.find_first_of("[{");
  for (int tries = 0; pos != std::string_view::npos && tries < kMaxCandidates; ++tries) {
    size_t end = SpanEnd(text, pos);
    json v = end == std::string_view::npos ? json(json::value_t::discarded)
                                           : ParseBounded(text.substr(pos, end - pos));
    ParsedReply p = v.is_discarded() ? ParsedReply{} : Read(v, max_edits, true);
    if (p.found && (!p.edits.empty() || !p.malformed.empty())) return p;
    if (p.found && !first_empty.found) first_empty = std::move(p);
    // A list read whole is skipped; anything else may hold the list further in.
    pos = text.find_first_of("[{", p.found ? end : pos + 1);
  }
  return first_empty;
}

}  // namespace slipway::activities
