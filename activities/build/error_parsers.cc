// activities/build/error_parsers.cc: the driver that runs every line parser over the output,
// path normalisation, de-duplication and small helpers shared by the parsers.
#include "activities/build/error_parsers.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

#include "activities/build/line_scan.h"
#include "activities/build/parse_internal.h"

namespace slipway::activities::build {
namespace fs = std::filesystem;

namespace parse {

void Context::Add(BuildError e) const {
  e.file = NormalizePath(e.file, options.project_dir);
  out.push_back(std::move(e));
}

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::optional<size_t> PrevNonBlank(const Context& ctx, size_t i, size_t window) {
  for (size_t k = 1; k <= window && k <= i; ++k) {
    if (!Trim(ctx.lines[i - k]).empty()) return i - k;
  }
  return std::nullopt;
}

std::optional<PathLoc> ParsePathLine(const std::string& raw) {
  std::string line = Trim(raw);
  if (line.empty() || line.size() > 1000) return std::nullopt;
  scan::Groups m;
  if (!scan::PathLine(line, m)) return std::nullopt;
  PathLoc loc;
  loc.file = m.g[0];
  if (m.matched[1]) {
    loc.line = ToInt(m.g[1]);
    loc.column = ToInt(m.g[2]);
  }
  return loc;
}

std::optional<std::string> ReadProjectFile(const Context& ctx, const std::string& file) {
  if (ctx.options.project_dir.empty() || file.empty()) return std::nullopt;
  fs::path p = fs::path(file);
  if (!p.is_absolute()) p = fs::path(ctx.options.project_dir) / p;
  std::error_code ec;
  if (!fs::is_regular_file(p, ec) || fs::file_size(p, ec) > (4u << 20)) return std::nullopt;
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

int ToInt(const std::string& digits) {
  if (digits.empty() || digits.size() > 9) return 0;
  int v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return 0;
    v = v * 10 + (c - '0');
  }
  return v;
}

PathLoc OffsetToLineCol(const std::string& text, size_t offset) {
  PathLoc loc;
  loc.line = 1;
  loc.column = 1;
  for (size_t k = 0; k < offset && k < text.size(); ++k) {
    if (text[k] == '\n') {
      ++loc.line;
      loc.column = 1;
    } else {
      ++loc.column;
    }
  }
  return loc;
}

}  // namespace parse

std::string StripAnsi(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\x1b') {
      if (text[i] != '\r') out.push_back(text[i]);
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '[') {  // CSI: ESC [ params final(0x40-0x7e)
      i += 2;
      while (i < text.size() && !(text[i] >= 0x40 && text[i] <= 0x7e)) ++i;
    } else if (i + 1 < text.size() && text[i + 1] == ']') {  // OSC: ends at BEL or ESC '\'
      i += 2;
      while (i < text.size() && text[i] != '\x07' && text[i] != '\x1b') ++i;
      if (i < text.size() && text[i] == '\x1b') ++i;
    } else {
      ++i;  // two-byte escape
    }
  }
  return out;
}

namespace {

// The project directory as the file system resolves it (symlinks followed). A build reports
// hundreds of paths against the same directory: resolve it once per thread and directory,
// not once per path (each resolution is a system call per path component).
const fs::path& ResolvedProjectDir(const std::string& project_dir) {
  thread_local std::string last_dir;
  thread_local fs::path last_resolved;
  if (project_dir != last_dir || last_resolved.empty()) {
    std::error_code ec;
    last_resolved = fs::weakly_canonical(project_dir, ec);
    last_dir = project_dir;
  }
  return last_resolved;
}

}  // namespace

std::string NormalizePath(const std::string& path, const std::string& project_dir) {
  std::string p = parse::Trim(path);
  if (parse::StartsWith(p, "file://")) p = p.substr(7);
  if (p.empty()) return p;
  fs::path fp = fs::path(p).lexically_normal();
  if (fp.is_absolute() && !project_dir.empty()) {
    for (const fs::path& root : {fs::path(project_dir).lexically_normal(),
                                 ResolvedProjectDir(project_dir)}) {
      fs::path rel = fp.lexically_relative(root);
      if (!rel.empty() && !parse::StartsWith(rel.string(), "..")) return rel.string();
    }
    return fp.string();
  }
  std::string s = fp.string();
  while (parse::StartsWith(s, "./")) s = s.substr(2);
  return s;
}

std::vector<BuildError> DeduplicateErrors(std::vector<BuildError> errors, size_t max_errors) {
  std::vector<BuildError> out;
  std::map<std::tuple<std::string, int, int, std::string>, size_t> seen;
  for (BuildError& e : errors) {
    auto key = std::make_tuple(e.file, e.line, e.column, e.message);
    auto it = seen.find(key);
    if (it != seen.end()) {
      if (out[it->second].code.empty()) out[it->second].code = e.code;
      continue;
    }
    if (out.size() >= max_errors) continue;
    seen.emplace(std::move(key), out.size());
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<BuildError> ParseBuildOutput(const std::string& output, const ParseOptions& options) {
  const std::string clean = StripAnsi(output);
  std::vector<std::string> lines;
  std::istringstream in(clean);
  for (std::string line; std::getline(in, line);) lines.push_back(std::move(line));

  std::vector<BuildError> found;
  parse::Context ctx{lines, options, found};
  static const parse::LineParser kParsers[] = {
      parse::ParseTscLine,         parse::ParseNextTypeError,  parse::ParseNextPrerender,
      parse::ParseEslintStylish,   parse::ParseNextEslint,     parse::ParseSwcFrame,
      parse::ParseNodeSyntaxError, parse::ParseWebpackParseFailed, parse::ParseModuleNotFound,
  };
  for (size_t i = 0; i < lines.size();) {
    size_t used = 0;
    for (parse::LineParser p : kParsers) {
      if ((used = p(ctx, i)) > 0) break;
    }
    i += used > 0 ? used : 1;
  }
  parse::ParseEslintJson(clean, ctx);
  return DeduplicateErrors(std::move(found), options.max_errors);
}

}  // namespace slipway::activities::build
