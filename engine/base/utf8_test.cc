#include "engine/base/utf8.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace slipway {
namespace {

const std::string kEmoji = "\xF0\x9F\x9A\x80";  // U+1F680, 4 bytes
const std::string kFffd = "\xEF\xBF\xBD";

TEST(Utf8Test, ValidityFollowsRfc3629) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("caf\xC3\xA9 \xE2\x9C\x93 " + kEmoji));
  EXPECT_FALSE(IsValidUtf8("\xFF"));
  EXPECT_FALSE(IsValidUtf8("\x89PNG\r\n\x1a\n"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // UTF-16 surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(IsValidUtf8(kEmoji.substr(0, 3)));  // cut inside
}

TEST(Utf8Test, TruncateNeverCutsInsideACharacter) {
  std::string reason = std::string(119, 'a') + kEmoji + "tail";
  for (size_t budget = 115; budget <= reason.size() + 1; ++budget) {
    std::string cut = TruncateUtf8(reason, budget);
    EXPECT_LE(cut.size(), budget);
    EXPECT_TRUE(IsValidUtf8(cut)) << budget;
    EXPECT_EQ(reason.compare(0, cut.size(), cut), 0);
    EXPECT_NO_THROW(nlohmann::json(cut).dump());
  }
  EXPECT_EQ(TruncateUtf8(reason, 120), std::string(119, 'a'));
  EXPECT_EQ(TruncateUtf8(reason, 123), std::string(119, 'a') + kEmoji);
  EXPECT_EQ(TruncateUtf8(reason, 120, "..."), std::string(119, 'a') + "...");
  EXPECT_EQ(TruncateUtf8("short", 120, "..."), "short");
}

TEST(Utf8Test, TailStartsOnACharacter) {
  std::string log = "x" + kEmoji + "end";
  EXPECT_EQ(TailUtf8(log, 5), "end");
  EXPECT_EQ(TailUtf8(log, 7), kEmoji + "end");
  EXPECT_EQ(TailUtf8(log, 100), log);
}

TEST(Utf8Test, CuttingInvalidBytesStaysBounded) {
  std::string junk(10 * 1024 * 1024, '\x80');  // only continuation bytes
  EXPECT_GE(TruncateUtf8(junk, 1000).size(), 997u);
  EXPECT_GE(TailUtf8(junk, 1000).size(), 997u);
  EXPECT_TRUE(IsValidUtf8(ScrubUtf8(junk)));
}

TEST(Utf8Test, ScrubReplacesEachInvalidByte) {
  EXPECT_EQ(ScrubUtf8("ok \xE2\x9C\x93"), "ok \xE2\x9C\x93");
  EXPECT_EQ(ScrubUtf8("a\xFF" "b\xED\xA0\x80"), "a" + kFffd + "b" + kFffd + kFffd + kFffd);
  EXPECT_EQ(ScrubUtf8(kEmoji.substr(0, 2)), kFffd + kFffd);
}

}  // namespace
}  // namespace slipway
