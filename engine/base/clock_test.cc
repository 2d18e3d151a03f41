// engine/base/clock_test.cc: RFC 3339 times in and out.
#include "engine/base/clock.h"

#include <gtest/gtest.h>

namespace slipway {
namespace {

TEST(Rfc3339Test, ParsesWhatItFormats) {
  for (TimeMs t : {TimeMs{0}, TimeMs{1'767'225'600'000}, TimeMs{951'782'400'123},
                   TimeMs{4'102'444'799'999}}) {
    EXPECT_EQ(ParseRfc3339(FormatRfc3339(t)), t) << FormatRfc3339(t);
  }
}

TEST(Rfc3339Test, FractionsAreCutToMillisecondsAndOptional) {
  EXPECT_EQ(ParseRfc3339("2026-01-01T00:00:00Z"), TimeMs{1'767'225'600'000});
  EXPECT_EQ(ParseRfc3339("2026-01-01T00:00:00.5Z"), TimeMs{1'767'225'600'500});
  EXPECT_EQ(ParseRfc3339("2026-01-01T00:00:00.123456789Z"), TimeMs{1'767'225'600'123});
  EXPECT_EQ(ParseRfc3339("2024-02-29T12:00:00z"), TimeMs{1'709'208'000'000});
}

TEST(Rfc3339Test, RefusesWhatIsNotAUtcTime) {
  for (const char* bad : {"", "2026-01-01", "2026-01-01T00:00:00", "2026-01-01T00:00:00+01:00",
                          "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z", "2026-01-01T24:00:00Z",
                          "2026-01-01T00:60:00Z", "1969-12-31T23:59:59Z", "2026-01-01T00:00:00.Z",
                          "2026-01-01T00:00:00.1234567890Z", "2026-01-01T00:00:00Zjunk",
                          "2026-01-01 00:00:00Z", "+026-01-01T00:00:00Z", "2026-1-01T00:00:00Z"}) {
    EXPECT_FALSE(ParseRfc3339(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace slipway
