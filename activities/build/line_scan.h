// activities/build/line_scan.h: linear, non-recursive matchers for the line formats the build
// error parsers recognise (tsc, SWC, node/Babel, webpack, ESLint, path lines). They replace
// regular expressions: each runs in time linear in the line and never recurses, so a tenant's
// multi-megabyte line cannot exhaust the stack. Each documents the pattern it is equivalent to;
// line_scan_test.cc checks that equivalence on random lines. Stateless: thread-safe.
#pragma once

#include <cstddef>
#include <string>

namespace slipway::activities::build::scan {

// Captured substrings of a match (up to 5), in pattern order.
struct Groups {
  std::string g[5];
  bool matched[5] = {false, false, false, false, false};
};

// ^\s*(?:Error:)?\s*(?:x|\xC3\x97)\s+(.*)$
bool SwcMessage(const std::string& s, Groups& m);
// ^\s*,-\[(.+):(\d+):(\d+)\]\s*$
bool SwcHeader(const std::string& s, Groups& m);
// search ^\s*(\d+) \|
bool SwcCode(const std::string& s, Groups& m);
// ^SyntaxError: ((?:/|\./)[^:]+): (.*) \((\d+):(\d+)\)$
bool Babel(const std::string& s, Groups& m);
// ^(?:file://)?(/\S+?):(\d+)$
bool NodeHeader(const std::string& s, Groups& m);
// search \((\d+):(\d+)\)$
bool LineColSuffix(const std::string& s, Groups& m);
// search in JSON at position (\d+)
bool JsonOffset(const std::string& s, Groups& m);
// search Can't resolve '([^']+)'
bool Resolve(const std::string& s, Groups& m);
// ^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$
bool TscPlain(const std::string& s, Groups& m);
// ^(.+?):(\d+):(\d+) - error (TS\d+): (.*)$
bool TscPretty(const std::string& s, Groups& m);
// ^error (TS\d+): (.*)$
bool TscGlobal(const std::string& s, Groups& m);
// search "([^"\s]+\.(?:tsx|ts|jsx|js|mjs))"
bool QuotedFile(const std::string& s, Groups& m);
// ^(.*\S)\s{2,}(@?[A-Za-z0-9][\w@/.-]*)$
bool Rule(const std::string& s, Groups& m);
// ^\s+(\d+):(\d+)\s+(error|warning)\s+(.*)$
bool StylishEntry(const std::string& s, Groups& m);
// ^(\d+):(\d+)\s+(Error|Warning):\s+(.*)$
bool NextEslintEntry(const std::string& s, Groups& m);
// ^((?:\./|/|[\w@.-]+/)[^\s:'"]+\.[A-Za-z0-9]+)(?::(\d+):(\d+))?$
bool PathLine(const std::string& s, Groups& m);

}  // namespace slipway::activities::build::scan
