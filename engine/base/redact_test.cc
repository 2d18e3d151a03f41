#include "engine/base/redact.h"

#include <gtest/gtest.h>

#include <random>
#include <regex>  // test only: the pattern the scanner replaced, as the reference
#include <string>
#include <vector>

namespace slipway {
namespace {

TEST(RedactTest, SecretKeysAreMaskedAtAnyDepth) {
  nlohmann::json in = {{"repo", "acme/site"},
                       {"env", {{"VERCEL_TOKEN", "abc"}, {"name", "x"}}},
                       {"headers", {{"Authorization", "Bearer zzz"}}},
                       {"usage", {{"input_tokens", 12}}}};
  nlohmann::json out = RedactJson(in);
  EXPECT_EQ(out["repo"], "acme/site");
  EXPECT_EQ(out["env"]["VERCEL_TOKEN"], kRedacted);
  EXPECT_EQ(out["env"]["name"], "x");
  EXPECT_EQ(out["headers"]["Authorization"], kRedacted);
  EXPECT_EQ(out["usage"]["input_tokens"], 12);  // counts are not secrets
}

TEST(RedactTest, CredentialsInsideTextAreMasked) {
  std::string text = "call failed: Authorization: Bearer abcdefghijkl1234 key sk-ant-api03-XYZXYZXYZXYZ";
  std::string out = RedactText(text);
  EXPECT_EQ(out.find("abcdefghijkl1234"), std::string::npos);
  EXPECT_EQ(out.find("sk-ant-api03"), std::string::npos);
  EXPECT_NE(out.find("call failed"), std::string::npos);
}

TEST(RedactTest, GithubTokensInValuesAreMasked) {
  nlohmann::json out = RedactJson({{"note", "used ghp_0123456789abcdefghijABCDEFGHIJ"}});
  EXPECT_EQ(out["note"].get<std::string>().find("ghp_"), std::string::npos);
}

TEST(RedactTest, EveryCredentialFormIsMaskedWhateverItsCase) {
  const char* secrets[] = {"bearer abcdefgh1234", "TOKEN abcdefgh1234", "Basic dXNlcjpwYXNzd29yZA==",
                           "GHS_0123456789abcdefghij", "gho_0123456789abcdefghij",
                           "github_pat_0123456789abcdefghij", "SK-ANT-0123456789",
                           "sk-0123456789abcdefghij"};
  for (const char* secret : secrets) {
    std::string text = std::string("before ") + secret + " after";
    EXPECT_EQ(RedactText(text), std::string("before ") + kRedacted + " after") << secret;
    nlohmann::json in = {{"nested", {{"list", {text}}}}};
    EXPECT_EQ(RedactJson(in)["nested"]["list"][0], std::string("before ") + kRedacted + " after");
  }
}

TEST(RedactTest, PlainTextIsReturnedUnchanged) {
  const char* plain[] = {"wf_01m8dzwsrhxqarphywfadngg9h/s1", "through the gate", "tokens: 12",
                         "sk-short", "ghp_short", ""};
  for (const char* text : plain) EXPECT_EQ(RedactText(text), text);
  nlohmann::json in = {{"output", {{"a", 1}, {"b", {"x", "y"}}}}, {"n", nullptr}};
  nlohmann::json copy = in;
  RedactJsonInPlace(copy);
  EXPECT_EQ(copy, in);
}

// The std::regex that redaction used before the linear scanner: the scanner must mask exactly
// what it masked (tests may use std::regex on short strings; product code may not).
std::string RegexRedact(const std::string& text) {
  static const std::regex re(
      R"((Bearer|token|Basic)\s+[A-Za-z0-9._~+/=-]{8,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|sk-ant-[A-Za-z0-9_-]{10,}|sk-[A-Za-z0-9]{20,})",
      std::regex::icase);
  return std::regex_replace(text, re, kRedacted);
}

TEST(RedactTest, ScannerMasksExactlyWhatThePatternMatched) {
  const std::vector<std::string> pieces = {
      "token", "TOKEN", "Bearer", "bEaReR", "Basic", "basi", "tok", " ", "  ", "\t", "\n", "\v",
      "gh", "GH", "p", "o", "u", "s", "r", "x", "_", "github_pat_", "GITHUB_PAT_", "sk-",
      "SK-", "ant-", "sk-ant-", "A", "z", "0", "9", "abcdefgh", "0123456789", "-", ".", "~",
      "+", "/", "=", ":", "\"", "\xc3\xa9", "\xff", "ghp_", "ghs_", "sk"};
  std::mt19937 rng(20261204);  // fixed seed: the same cases every run
  std::uniform_int_distribution<size_t> pick(0, pieces.size() - 1), count(0, 40);
  for (int round = 0; round < 4000; ++round) {
    std::string text;
    for (size_t n = count(rng); n > 0; --n) {
      const std::string& p = pieces[pick(rng)];
      // Long runs make the {8,} / {20,} thresholds reachable.
      size_t repeat = p.size() == 1 && rng() % 4 == 0 ? 1 + rng() % 24 : 1;
      for (size_t k = 0; k < repeat; ++k) text += p;
    }
    ASSERT_EQ(RedactText(text), RegexRedact(text)) << "input: " << text;
    nlohmann::json in = {{"v", text}};
    ASSERT_EQ(RedactJson(in)["v"], RegexRedact(text)) << "input: " << text;
  }
}

TEST(RedactTest, ThresholdsAndOrderMatchThePattern) {
  const char* cases[] = {"token 1234567", "token 12345678", "tokens 12345678", "token\t\n12345678",
                         "Bearer  a.b~c+d/e=f-g", "ghp_1234567890123456789", "ghp_12345678901234567890",
                         "ghx_12345678901234567890", "github_pat_1234567890123456789_",
                         "sk-ant-123456789", "sk-ant-1234567890", "sk-ant12345678901234567890",
                         "sk-1234567890123456789", "sk-12345678901234567890", "xtoken abcdefghij",
                         "token token token abcdefgh", "basic\rQUJDREVGR0g=", "sk-ant-sk-1234567890"};
  for (const char* c : cases) EXPECT_EQ(RedactText(c), RegexRedact(c)) << c;
}

// Attacker-sized inputs (10 MB): std::regex overflowed the stack on a tenth of this. These must
// complete, and quickly (no timing asserted: the unit suite runs them).
TEST(RedactTest, TenMegabyteStringsAreRedactedWithoutRecursion) {
  const size_t kTen = 10 * 1024 * 1024;
  std::string token = "token " + std::string(kTen, 'A');
  EXPECT_EQ(RedactText(token), kRedacted);
  nlohmann::json in = {{"website_data", {{"body", token}}}};
  EXPECT_EQ(RedactJson(in)["website_data"]["body"], kRedacted);

  std::string spaces = "token" + std::string(kTen, ' ') + "short";
  EXPECT_EQ(RedactText(spaces), spaces);
  std::string keywords;
  while (keywords.size() < kTen) keywords += "token Bearer basic sk-an ghp_y github_pat_z sk- ";
  EXPECT_EQ(RedactText(keywords), keywords);
  std::string many;
  while (many.size() < kTen) many += "token abcdefgh ";
  std::string masked = RedactText(many);
  EXPECT_EQ(masked.find("abcdefgh"), std::string::npos);
  EXPECT_EQ(RedactText(std::string(kTen, 's')), std::string(kTen, 's'));
  std::string pat = "github_pat_" + std::string(kTen, '_');
  EXPECT_EQ(RedactText(pat), kRedacted);
}

TEST(RedactTest, DeeplyNestedJsonIsWalkedWithoutRecursion) {
  const size_t kDepth = 200'000;  // recursion over this would need far more than 8 MB of stack
  std::string text = std::string(kDepth, '[') + "\"Bearer abcdefghijkl\"" + std::string(kDepth, ']');
  nlohmann::json deep = nlohmann::json::parse(text);
  RedactJsonInPlace(deep);
  const nlohmann::json* at = &deep;
  for (size_t i = 0; i < kDepth; ++i) at = &(*at)[0];
  EXPECT_EQ(*at, kRedacted);
}

}  // namespace
}  // namespace slipway
