#include "engine/base/status.h"
#include "engine/base/clock.h"

#include <gtest/gtest.h>

namespace slipway {
namespace {

TEST(StatusTest, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "ok");
}

TEST(StatusTest, InvalidArgumentNamesTheField) {
  Status s = InvalidArgument("tenant", "must be a DNS label");
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.field(), "tenant");
  EXPECT_NE(s.ToString().find("tenant"), std::string::npos);
}

TEST(StatusTest, OnlyTransientCodesAreRetryable) {
  EXPECT_TRUE(Unavailable("x").retryable());
  EXPECT_TRUE(Status(Code::kDeadlineExceeded, "x").retryable());
  EXPECT_FALSE(Permanent("x").retryable());
  EXPECT_FALSE(InvalidArgument("f", "x").retryable());
}

TEST(StatusTest, RetryAfterTravelsWithTheError) {
  Status s = Unavailable("429");
  s.WithRetryAfter(1500);
  ASSERT_TRUE(s.retry_after_ms().has_value());
  EXPECT_EQ(*s.retry_after_ms(), 1500);
}

TEST(StatusTest, DetailsTravelWithTheErrorAndStayOutOfItsText) {
  Status s = Permanent("build failed").WithDetails(R"({"errors":[{"file":"a.ts"}]})");
  EXPECT_EQ(s.details(), R"({"errors":[{"file":"a.ts"}]})");
  EXPECT_EQ(s.ToString(), "permanent: build failed");
  Result<int> r = s;
  EXPECT_EQ(r.status().details(), s.details());
  EXPECT_TRUE(Permanent("x").details().empty());
}

TEST(StatusTest, CodeNamesRoundTrip) {
  for (Code c : {Code::kNotFound, Code::kConflict, Code::kUnavailable, Code::kPermanent,
                 Code::kFailedPrecondition, Code::kUnauthenticated}) {
    EXPECT_EQ(CodeFromName(CodeName(c)), c);
  }
}

TEST(ResultTest, HoldsValueOrError) {
  Result<int> good = 7;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 7);
  Result<int> bad = NotFound("nope");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kNotFound);
}

TEST(ClockTest, FormatsRfc3339Utc) {
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339(1'767'225'600'123), "2026-01-01T00:00:00.123Z");
}

TEST(ClockTest, FakeClockMovesOnlyWhenTold) {
  FakeClock fake(1000);
  EXPECT_EQ(fake.NowMs(), 1000);
  fake.Advance(std::chrono::seconds(2));
  EXPECT_EQ(fake.NowMs(), 3000);
}

}  // namespace
}  // namespace slipway
