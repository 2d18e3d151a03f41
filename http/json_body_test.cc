// http/json_body_test.cc: body limits, JSON parsing limits, query parameters, ETags.
#include "http/json_body.h"

#include <gtest/gtest.h>

#include <sstream>

#include "http/errors.h"
#include "http/views.h"

namespace slipway::http {
namespace {

TEST(ReadBodyTest, CapsDeclaredAndActualLength) {
  std::istringstream small("hello");
  EXPECT_EQ(*ReadBody(small, 5, 10), "hello");
  std::istringstream declared("x");
  EXPECT_EQ(ErrorFor(ReadBody(declared, 11, 10).status()).status, 413);
  std::istringstream actual(std::string(11, 'x'));
  EXPECT_EQ(ErrorFor(ReadBody(actual, -1, 10).status()).status, 413);
}

TEST(ParseJsonObjectTest, NamesUnknownFieldsAndLimitsDepth) {
  auto ok = ParseJsonObject(R"({"a": 1})", 32, {"a", "b"});
  ASSERT_TRUE(ok.ok());
  auto unknown = ParseJsonObject(R"({"a": 1, "zz": 2})", 32, {"a"});
  EXPECT_EQ(unknown.status().field(), "zz");
  auto deep = ParseJsonObject(R"({"a": [[[1]]]})", 3, {"a"});
  EXPECT_EQ(deep.status().code(), Code::kInvalidArgument);
  auto brackets_in_strings = ParseJsonObject(R"({"a": "[[[[[[\"[["})", 2, {"a"});
  EXPECT_TRUE(brackets_in_strings.ok());
  auto bad = ParseJsonObject(R"({"a": tru})", 32, {"a"});
  EXPECT_EQ(bad.status().field(), "body");
  EXPECT_EQ(bad.status().message().find("tru}"), std::string::npos);
}

// Found by tests/fuzz/fuzz_json_body: nlohmann throws out_of_range (not parse_error) for a
// number beyond a double's range, and it escaped as a 500.
TEST(ParseJsonObjectTest, HugeNumberIsABadBodyNotAnException) {
  auto huge = ParseJsonObject(R"({"a": 1e400})", 32, {"a"});
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(huge.status().field(), "body");
  EXPECT_EQ(huge.status().message().find("1e400"), std::string::npos);
  auto negative = ParseJsonObject(R"({"a": [-1e999999]})", 32, {"a"});
  EXPECT_EQ(negative.status().field(), "body");
}

TEST(QueryTest, ParsesKnownParametersAndBoundsIntegers) {
  auto q = ParseQuery("/x?limit=5&cursor=a%3Ab", {"limit", "cursor"});
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->at("cursor"), "a:b");
  EXPECT_EQ(*IntParam(*q, "limit", 50, 1, 500), 5);
  EXPECT_EQ(*IntParam(*q, "absent", 50, 1, 500), 50);
  EXPECT_EQ(ParseQuery("/x?limit=1&limit=2", {"limit"}).status().field(), "limit");
  EXPECT_EQ(ParseQuery("/x?nope=1", {"limit"}).status().field(), "nope");
  for (const char* bad : {"0", "501", "-1", "1e3", "", "99999999999999999999"}) {
    Query one = {{"limit", bad}};
    EXPECT_FALSE(IntParam(one, "limit", 50, 1, 500).ok()) << bad;
  }
}

TEST(ETagTest, ParsesIfNoneMatch) {
  EXPECT_EQ(ETagFor(7), "\"7\"");
  EXPECT_EQ(IfNoneMatchVersion("\"7\""), 7);
  EXPECT_EQ(IfNoneMatchVersion("W/\"8\""), 8);
  EXPECT_EQ(IfNoneMatchVersion("\"x\", \"9\""), 9);
  EXPECT_FALSE(IfNoneMatchVersion("*").has_value());
  EXPECT_TRUE(IfNoneMatchMatches("*", 3));
  EXPECT_TRUE(IfNoneMatchMatches("\"2\", \"3\"", 3));
  EXPECT_FALSE(IfNoneMatchMatches("\"2\"", 3));
  EXPECT_FALSE(IfNoneMatchVersion("\"99999999999999999999\"").has_value());
}

}  // namespace
}  // namespace slipway::http
