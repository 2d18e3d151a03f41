#include "engine/base/redact.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace slipway
