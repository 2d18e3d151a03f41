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

}  // namespace
}  // namespace slipway
