// The emulator's scanners against the std::regex patterns they replaced (random seeded inputs
// built from the patterns' own pieces), and on 10 MB inputs.
#include "tools/emulator/text_scan.h"

#include <gtest/gtest.h>

#include <random>
#include <regex>  // test only: the reference

namespace slipway::emulator {
namespace {

std::string RandomText(std::mt19937& rng, const std::vector<std::string>& pieces, size_t max) {
  std::string out;
  for (size_t n = rng() % (max + 1); n > 0; --n) out += pieces[rng() % pieces.size()];
  return out;
}

TEST(TextScanTest, TsErrorsMatchTheRegex) {
  static const std::regex re(R"(([\w./@\-\[\]]+)\((\d+),(\d+)\): error (TS\d+): ([^\n]*))");
  const std::vector<std::string> pieces = {"src/a.tsx", "b", "(", ")", "12", ",", "3",
                                           "): error TS", "2304", ": ", "msg", "\n", " ", "@",
                                           "[x]", "-", "é", "(1,2): error TS2322: m"};
  std::mt19937 rng(7);
  int matched = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string text = RandomText(rng, pieces, 25);
    std::vector<TsError> want;
    for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it) {
      want.push_back({(*it)[1], std::stoi((*it)[2]), (*it)[4], (*it)[5]});
    }
    std::vector<TsError> got = FindTsErrors(text);
    matched += !want.empty();
    ASSERT_EQ(got.size(), want.size()) << text;
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].file, want[i].file) << text;
      EXPECT_EQ(got[i].line, want[i].line) << text;
      EXPECT_EQ(got[i].code, want[i].code) << text;
      EXPECT_EQ(got[i].message, want[i].message) << text;
    }
  }
  EXPECT_GT(matched, 100);  // the pieces do make matches
}

TEST(TextScanTest, FileBlocksMatchTheRegex) {
  static const std::regex re(R"(--- FILE: ([^\n]+?) ---\n([\s\S]*?)\n?--- END FILE ---)");
  const std::vector<std::string> pieces = {"--- FILE: ", " ---\n", "--- END FILE ---", "\n",
                                           "a.tsx", " ---", "x", " ", "--- FILE: b ---\n"};
  std::mt19937 rng(8);
  int matched = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string text = RandomText(rng, pieces, 14);
    std::map<std::string, std::string> want;
    for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it) {
      want[(*it)[1]] = (*it)[2];
    }
    matched += !want.empty();
    ASSERT_EQ(FindFileBlocks(text), want) << text;
  }
  EXPECT_GT(matched, 100);
}

TEST(TextScanTest, WordsNamesAndLoopsMatchTheRegex) {
  const std::vector<std::string> pieces = {"page", "Count", "pageCount", "$", "_", "9", " ",
                                           ".", "(", ")", "for (const page of ", "site.pages",
                                           "Cannot find name '", "'", "x", "-", "é",
                                           "Cannot find name 'pageCount'"};
  static const std::regex ident(R"([A-Za-z_$][\w$]*)");
  static const std::regex name(R"(Cannot find name '(\w+)')");
  static const std::regex loop("for \\(const page of ([\\w.]+)\\)");
  static const std::regex word("\\bpageCount\\b");
  std::mt19937 rng(9);
  int names = 0, loops = 0, words = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string text = RandomText(rng, pieces, 20);
    std::vector<std::string> ids;
    for (std::sregex_iterator it(text.begin(), text.end(), ident), end; it != end; ++it) {
      ids.push_back(it->str());
    }
    ASSERT_EQ(Identifiers(text), ids) << text;
    std::smatch m;
    std::optional<std::string> want_name;
    if (std::regex_search(text, m, name)) want_name = m[1].str();
    ASSERT_EQ(MissingName(text), want_name) << text;
    std::optional<std::string> want_loop;
    if (std::regex_search(text, m, loop)) want_loop = m[1].str();
    ASSERT_EQ(LoopSource(text, "page"), want_loop) << text;
    ASSERT_EQ(ReplaceWord(text, "pageCount", "n"), std::regex_replace(text, word, "n")) << text;
    names += want_name.has_value();
    loops += want_loop.has_value();
    words += std::regex_search(text, word);
  }
  EXPECT_GT(names, 50);
  EXPECT_GT(loops, 50);
  EXPECT_GT(words, 50);
}

TEST(TextScanTest, AssignmentsAndQuotedNumbersMatchTheRegex) {
  static const std::regex assign(R"((.*=\s*)([^=;][^;]*);\s*)");
  static const std::regex quoted(R"(["'](-?\d+(?:\.\d+)?)["'])");
  const std::vector<std::string> pieces = {"x", "=", " ", ";", "\r", "\t", "'", "\"", "-", "12",
                                           ".", "5", "==", "const a: string = ", "é", "'12'",
                                           "\"-1.5\""};
  std::mt19937 rng(10);
  int assigns = 0, numbers = 0;
  for (int round = 0; round < 5000; ++round) {
    std::string line = RandomText(rng, pieces, 12);
    std::smatch m;
    std::optional<std::pair<std::string, std::string>> want;
    if (std::regex_match(line, m, assign)) want = std::make_pair(m[1].str(), m[2].str());
    ASSERT_EQ(SplitAssignment(line), want) << "[" << line << "]";
    assigns += want.has_value();
    std::optional<QuotedNumber> got = FindQuotedNumber(line);
    bool found = std::regex_search(line, m, quoted);
    ASSERT_EQ(got.has_value(), found) << "[" << line << "]";
    numbers += found;
    if (found) {
      EXPECT_EQ(got->position, static_cast<size_t>(m.position(0))) << line;
      EXPECT_EQ(got->length, static_cast<size_t>(m.length(0))) << line;
      EXPECT_EQ(got->number, m[1].str()) << line;
    }
  }
  EXPECT_GT(assigns, 100);
  EXPECT_GT(numbers, 100);
}

TEST(TextScanTest, SourceHrefsMatchTheRegex) {
  static const std::regex re(R"(href=["']([^"']+)["'])");
  const std::vector<std::string> pieces = {"href=", "href", "=", "\"", "'", "/a", "x", " ", "<a "};
  std::mt19937 rng(11);
  int matched = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string text = RandomText(rng, pieces, 20);
    std::vector<std::string> want;
    for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it) {
      want.push_back((*it)[1].str());
    }
    matched += !want.empty();
    ASSERT_EQ(SourceHrefs(text), want) << text;
  }
  EXPECT_GT(matched, 100);
}

TEST(TextScanTest, TenMegabyteInputsComplete) {
  const size_t kTen = 10 * 1024 * 1024;
  std::string href = "<a href=\"/" + std::string(kTen, 'a') + "\">";
  ASSERT_EQ(SourceHrefs(href).size(), 1u);
  std::string fragments;
  while (fragments.size() < kTen) fragments += "<a href=";
  EXPECT_TRUE(SourceHrefs(fragments).empty());
  std::string parens;
  while (parens.size() < kTen) parens += "a(1,2): error TS";
  EXPECT_TRUE(FindTsErrors(parens).empty());
  std::string path(kTen, 'a');
  EXPECT_EQ(FindTsErrors(path + "(1,2): error TS2304: x").at(0).file.size(), kTen);
  std::string heads;
  while (heads.size() < kTen) heads += "--- FILE: a ---\n";
  EXPECT_TRUE(FindFileBlocks(heads).empty());
  EXPECT_EQ(Identifiers(std::string(kTen, 'x')).size(), 1u);
  std::string eqs;
  while (eqs.size() < kTen) eqs += "= ";
  EXPECT_FALSE(SplitAssignment(eqs + ";x"));
  EXPECT_TRUE(SplitAssignment(eqs + "1;"));
  std::string quotes;
  while (quotes.size() < kTen) quotes += "'1.";
  EXPECT_FALSE(FindQuotedNumber(quotes));
  EXPECT_EQ(FindTsErrors("a(99999999999,1): error TS2304: x").at(0).line, 0);  // no throw
}

}  // namespace
}  // namespace slipway::emulator
