// Differential test: every line_scan matcher against the std::regex it replaced (test code may
// use std::regex), on seeded random lines built from the build-output formats' pieces; and
// 10 MB lines through every parser (no crash).
#include "activities/build/line_scan.h"

#include <gtest/gtest.h>

#include <random>
#include <regex>
#include <string>
#include <vector>

#include "activities/build/error_parsers.h"

namespace slipway::activities::build {
namespace {

struct Case {
  const char* name;
  const char* pattern;
  bool search;  // regex_search (else regex_match)
  bool (*scan)(const std::string&, scan::Groups&);
  const char* shape;  // a well-formed line: '~' a random run of pieces, '#' random digits
};

const std::vector<Case>& Cases() {
  static const std::vector<Case> k = {
      {"SwcMessage", R"(^\s*(?:Error:)?\s*(?:x|\xC3\x97)\s+(.*)$)", false, scan::SwcMessage, "~Error:~x ~"},
      {"SwcHeader", R"(^\s*,-\[(.+):(\d+):(\d+)\]\s*$)", false, scan::SwcHeader, "~,-[~:#:#]~"},
      {"SwcCode", R"(^\s*(\d+) \|)", true, scan::SwcCode, "~# |~"},
      {"Babel", R"(^SyntaxError: ((?:/|\./)[^:]+): (.*) \((\d+):(\d+)\)$)", false, scan::Babel, "SyntaxError: /~: ~ (#:#)"},
      {"NodeHeader", R"(^(?:file://)?(/\S+?):(\d+)$)", false, scan::NodeHeader, "file:///~:#"},
      {"LineColSuffix", R"(\((\d+):(\d+)\)$)", true, scan::LineColSuffix, "~(#:#)"},
      {"JsonOffset", R"(in JSON at position (\d+))", true, scan::JsonOffset, "~in JSON at position #~"},
      {"Resolve", R"(Can't resolve '([^']+)')", true, scan::Resolve, "~Can't resolve '~'~"},
      {"TscPlain", R"(^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$)", false, scan::TscPlain, "~(#,#): error TS#: ~"},
      {"TscPretty", R"(^(.+?):(\d+):(\d+) - error (TS\d+): (.*)$)", false, scan::TscPretty, "~:#:# - error TS#: ~"},
      {"TscGlobal", R"(^error (TS\d+): (.*)$)", false, scan::TscGlobal, "error TS#: ~"},
      {"QuotedFile", R"re("([^"\s]+\.(?:tsx|ts|jsx|js|mjs))")re", true, scan::QuotedFile, "~\"~.tsx\"~"},
      {"Rule", R"(^(.*\S)\s{2,}(@?[A-Za-z0-9][\w@/.-]*)$)", false, scan::Rule, "~  ~"},
      {"StylishEntry", R"(^\s+(\d+):(\d+)\s+(error|warning)\s+(.*)$)", false, scan::StylishEntry, "  #:#  error  ~"},
      {"NextEslintEntry", R"(^(\d+):(\d+)\s+(Error|Warning):\s+(.*)$)", false,
       scan::NextEslintEntry, "#:#  Error: ~"},
      {"PathLine", R"(^((?:\./|/|[\w@.-]+/)[^\s:'"]+\.[A-Za-z0-9]+)(?::(\d+):(\d+))?$)", false,
       scan::PathLine, "./~.ts:#:#"},
  };
  return k;
}

const std::vector<std::string>& Pieces() {
  static const std::vector<std::string> k = {
      "src/app/page.tsx", "./src/a.ts", "/home/u/site/src/a.js", "file://", "@scope/x", "a",
      "(", ")", "3", "12", "0", ",", ":", ": ", ": error TS2322: ", "error TS1005: ", "error",
      "warning", "Error", "Warning", " - error TS", "TS", " ", "  ", "\t", "\r", "\n", "'",
      "\"", ".", "./", "/", "at ", "^^^", "x", "\xC3\x97", "Error:", ",-[", "]", " |", "`-",
      "SyntaxError: ", "(3:10)", "in JSON at position ", "Can't resolve '", "no-unused-vars",
      "\x1b[31m", "\x1b[0m", ".tsx", ".mjs", "page.tsx\"", "-", "_", "@", "z9", "é"};
  return k;
}

std::string RandomPieces(std::mt19937& rng, int max) {
  std::string out;
  int count = static_cast<int>(rng() % (max + 1));
  for (int k = 0; k < count; ++k) out += Pieces()[rng() % Pieces().size()];
  return out;
}

// The shape filled in, then sometimes one piece inserted or one character dropped.
std::string FromShape(std::mt19937& rng, const std::string& shape) {
  std::string out;
  for (char ch : shape) {
    if (ch == '~') out += RandomPieces(rng, 3);
    else if (ch == '#') out += std::string(rng() % 4 == 0 ? 0 : 1 + rng() % 3, '0' + rng() % 10);
    else out += ch;
  }
  if (rng() % 4 == 0 && !out.empty()) out.insert(rng() % out.size(), RandomPieces(rng, 1));
  if (rng() % 8 == 0 && !out.empty()) out.erase(rng() % out.size(), 1);
  return out;
}

TEST(LineScanTest, AgreesWithTheRegexItReplacedOnRandomLines) {
  std::mt19937 rng(20261204);
  const auto& pieces = Pieces();
  for (const Case& c : Cases()) {
    std::regex re(c.pattern);
    int matches = 0;
    for (int n = 0; n < 4000; ++n) {
      std::string line = n % 2 ? RandomPieces(rng, 9) : FromShape(rng, c.shape);
      std::smatch m;
      bool want = c.search ? std::regex_search(line, m, re) : std::regex_match(line, m, re);
      scan::Groups g;
      bool got = c.scan(line, g);
      ASSERT_EQ(want, got) << c.name << " on [" << line << "]";
      if (!want) continue;
      ++matches;
      for (size_t k = 1; k < m.size() && k <= 5; ++k) {
        if (m[k].matched) {
          EXPECT_EQ(std::string(m[k]), g.g[k - 1]) << c.name << " group " << k << " [" << line << "]";
        } else {
          EXPECT_FALSE(g.matched[k - 1]) << c.name << " group " << k << " [" << line << "]";
        }
      }
    }
    EXPECT_GT(matches, 20) << c.name << ": too few well-formed lines to compare";
  }
}

TEST(LineScanTest, TenMegabyteLinesDoNotCrashAnyParser) {
  const std::string big(10u << 20, 'a');
  const std::vector<std::string> lines = {
      "src/" + big + "(1,2): error TS2322: x", "src/a.ts(1,2): error TS2322: " + big,
      "error TS1005: " + big, "Type error: \"" + big + ".tsx\"", "./" + big + ".ts",
      "  ,-[/" + big + ":3:1]", "SyntaxError: /" + big + ": m (1:2)", "/" + big + ":12",
      "Module not found: Can't resolve '" + big + "'", "Module parse failed: " + big + " (1:2)",
      "   3:7  error    " + big + "  no-unused-vars", "3:7  Error: " + big + "  rule",
      "Error occurred prerendering page \"/" + big + "\"", std::string(10u << 20, ':'),
      std::string(10u << 20, '('), "\x1b[31m" + big + "\x1b[0m"};
  for (const std::string& line : lines) {
    ParseOptions options;
    std::string out = "/home/u/site/src/a.ts\n" + line + "\n^\n\nSyntaxError: x\n";
    (void)ParseBuildOutput(out, options);
    (void)StripAnsi(line);
    (void)NormalizePath(line, "/home/u/site");
    for (const Case& c : Cases()) {
      scan::Groups g;
      (void)c.scan(line, g);
    }
  }
  SUCCEED();
}

}  // namespace
}  // namespace slipway::activities::build
