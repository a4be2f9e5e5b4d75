#include "invoker/time_average.h"

#include <gtest/gtest.h>

namespace nimbus::invoker {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(TimeAverageTest, TheFirstSampleIsTheAverage) {
  TimeAverage a(seconds(1));
  EXPECT_FALSE(a.measured());
  a.Add(600, TimeAverage::Clock::time_point() + seconds(5));
  EXPECT_TRUE(a.measured());
  EXPECT_DOUBLE_EQ(a.value(), 600);
}

TEST(TimeAverageTest, OneSlowSampleAmongManyFastOnesBarelyCounts) {
  TimeAverage a(seconds(1));
  auto t = TimeAverage::Clock::time_point() + seconds(1);
  // 8,000 invocations a second of 0.2 ms each, then one of 100 ms.
  for (int i = 0; i < 16000; ++i) {
    a.Add(0.2, t);
    t += microseconds(125);
  }
  a.Add(100, t);
  EXPECT_LT(a.value(), 0.5);
  // The same samples with a fixed weight per sample (0.2) would say 20 ms.
}

TEST(TimeAverageTest, SamplesSecondsApartEachCountAlmostFully) {
  TimeAverage a(seconds(1));
  auto t = TimeAverage::Clock::time_point() + seconds(1);
  a.Add(1, t);
  for (int i = 0; i < 3; ++i) {
    t += seconds(5);
    a.Add(500, t);
  }
  EXPECT_GT(a.value(), 495);
}

TEST(TimeAverageTest, FollowsASustainedChangeWithinItsSpan) {
  TimeAverage a(milliseconds(100));
  auto t = TimeAverage::Clock::time_point() + seconds(1);
  for (int i = 0; i < 1000; ++i) {
    a.Add(1, t);
    t += milliseconds(1);
  }
  for (int i = 0; i < 500; ++i) {  // five spans of slower invocations
    a.Add(50, t);
    t += milliseconds(1);
  }
  EXPECT_GT(a.value(), 49);
}

}  // namespace
}  // namespace nimbus::invoker
