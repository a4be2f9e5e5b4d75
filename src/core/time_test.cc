#include "core/time.h"

#include <gtest/gtest.h>

namespace nimbus {
namespace {

TEST(TimeTest, Formats) {
  int64_t ms = 1706704496789;  // 2024-01-31T12:34:56.789Z
  EXPECT_EQ(FormatLambdaTime(ms), "2024-01-31T12:34:56.789+0000");
  EXPECT_EQ(FormatIso8601Millis(ms), "2024-01-31T12:34:56.789Z");
  EXPECT_EQ(FormatAmzDate(ms / 1000), "20240131T123456Z");
  EXPECT_EQ(FormatSlashDate(ms), "2024/01/31");
}

TEST(TimeTest, ParsesAmzAndHttpDates) {
  EXPECT_EQ(ParseAmzDate("20240131T123456Z"), 1706704496);
  EXPECT_FALSE(ParseAmzDate("2024-01-31T12:34:56Z").has_value());
  EXPECT_FALSE(ParseAmzDate("20241331T123456Z").has_value());
  EXPECT_EQ(ParseHttpDate("Wed, 31 Jan 2024 12:34:56 GMT"), 1706704496);
  EXPECT_FALSE(ParseHttpDate("yesterday").has_value());
}

}  // namespace
}  // namespace nimbus
