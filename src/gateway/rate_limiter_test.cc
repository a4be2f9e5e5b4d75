#include "gateway/rate_limiter.h"

#include <gtest/gtest.h>

namespace nimbus::gateway {
namespace {

constexpr int64_t kDayMs = 86'400'000;
// Wednesday 31 January 2024, 12:00:00 UTC.
constexpr int64_t kWed31Jan2024Noon = 1'706'702'400'000;
constexpr int64_t kWed31Jan2024 = 1'706'659'200'000;
constexpr int64_t kMon29Jan2024 = 1'706'486'400'000;
constexpr int64_t kMon1Jan2024 = 1'704'067'200'000;
constexpr int64_t kThu1Feb2024 = 1'706'745'600'000;

ThrottleConfig Throttle(double rate, int burst) {
  ThrottleConfig t;
  t.rate = rate;
  t.burst = burst;
  return t;
}

TEST(TokenBucketTest, DisabledAllowsEverything) {
  TokenBucket unlimited(Throttle(0, 0));
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(unlimited.TryTake(5.0));
  TokenBucket default_bucket;
  EXPECT_TRUE(default_bucket.TryTake(0));
}

TEST(TokenBucketTest, StartsFullAndRefillsAtTheRate) {
  TokenBucket b(Throttle(1, 2));
  EXPECT_TRUE(b.TryTake(100));
  EXPECT_TRUE(b.TryTake(100));
  EXPECT_FALSE(b.TryTake(100));    // burst used up
  EXPECT_FALSE(b.TryTake(100.5));  // half a token
  EXPECT_TRUE(b.TryTake(101));     // the second half
  EXPECT_FALSE(b.TryTake(101));
  // A long pause refills to the burst, never beyond.
  EXPECT_TRUE(b.TryTake(1000));
  EXPECT_TRUE(b.TryTake(1000));
  EXPECT_FALSE(b.TryTake(1000));
}

TEST(TokenBucketTest, SteadyRateWithBurstOfOne) {
  TokenBucket b(Throttle(4, 1));
  EXPECT_TRUE(b.TryTake(0));
  EXPECT_FALSE(b.TryTake(0.125));
  EXPECT_TRUE(b.TryTake(0.25));
  EXPECT_TRUE(b.TryTake(0.5));
  EXPECT_TRUE(b.TryTake(0.75));
  EXPECT_FALSE(b.TryTake(0.75));
  // Failed attempts cost nothing: the token still arrives on time.
  EXPECT_FALSE(b.TryTake(0.875));
  EXPECT_TRUE(b.TryTake(1.0));
}

TEST(QuotaPeriodStartTest, Day) {
  EXPECT_EQ(QuotaPeriodStart("DAY", kWed31Jan2024Noon), kWed31Jan2024);
  EXPECT_EQ(QuotaPeriodStart("DAY", kWed31Jan2024), kWed31Jan2024);
  EXPECT_EQ(QuotaPeriodStart("DAY", kWed31Jan2024 - 1), kWed31Jan2024 - kDayMs);
  EXPECT_EQ(QuotaPeriodStart("DAY", 0), 0);
}

TEST(QuotaPeriodStartTest, WeekStartsOnMonday) {
  EXPECT_EQ(QuotaPeriodStart("WEEK", kWed31Jan2024Noon), kMon29Jan2024);
  EXPECT_EQ(QuotaPeriodStart("WEEK", kMon29Jan2024), kMon29Jan2024);
  // Sunday 4 February 2024, 23:59:59.999 is still that week.
  EXPECT_EQ(QuotaPeriodStart("WEEK", kMon29Jan2024 + 7 * kDayMs - 1), kMon29Jan2024);
  EXPECT_EQ(QuotaPeriodStart("WEEK", kMon29Jan2024 + 7 * kDayMs), kMon29Jan2024 + 7 * kDayMs);
  // Sunday 28 January belongs to the week before.
  EXPECT_EQ(QuotaPeriodStart("WEEK", kMon29Jan2024 - 1), kMon29Jan2024 - 7 * kDayMs);
  // Wednesday 1 January 2025: the week began on Monday 30 December 2024.
  EXPECT_EQ(QuotaPeriodStart("WEEK", 1'735'689'600'000), 1'735'516'800'000);
}

TEST(QuotaPeriodStartTest, Month) {
  EXPECT_EQ(QuotaPeriodStart("MONTH", kWed31Jan2024Noon), kMon1Jan2024);
  EXPECT_EQ(QuotaPeriodStart("MONTH", kThu1Feb2024), kThu1Feb2024);
  // Thursday 29 February 2024 (a leap day), noon.
  EXPECT_EQ(QuotaPeriodStart("MONTH", kThu1Feb2024 + 28 * kDayMs + kDayMs / 2), kThu1Feb2024);
  EXPECT_EQ(QuotaPeriodStart("MONTH", kThu1Feb2024 - 1), kMon1Jan2024);
}

TEST(RateLimiterTest, BucketsByKey) {
  RateLimiter limiter;
  // A rate so low that no token comes back while the test runs.
  ThrottleConfig slow = Throttle(0.0001, 2);
  EXPECT_TRUE(limiter.Allow("a", slow));
  EXPECT_TRUE(limiter.Allow("a", slow));
  EXPECT_FALSE(limiter.Allow("a", slow));
  EXPECT_TRUE(limiter.Allow("b", slow));  // another key, another bucket
  // A changed configuration starts a fresh bucket.
  ThrottleConfig more = Throttle(0.0001, 3);
  EXPECT_TRUE(limiter.Allow("a", more));
  // Unlimited never refuses.
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(limiter.Allow("a", Throttle(0, 0)));
}

TEST(RateLimiterTest, CountsQuotaPerPeriod) {
  RateLimiter limiter;
  EXPECT_TRUE(limiter.CountQuota("k", 2, "DAY", kWed31Jan2024Noon));
  EXPECT_TRUE(limiter.CountQuota("k", 2, "DAY", kWed31Jan2024Noon + 1000));
  EXPECT_FALSE(limiter.CountQuota("k", 2, "DAY", kWed31Jan2024Noon + 2000));
  EXPECT_TRUE(limiter.CountQuota("other", 2, "DAY", kWed31Jan2024Noon));
  // The next day starts a new count.
  EXPECT_TRUE(limiter.CountQuota("k", 2, "DAY", kWed31Jan2024 + kDayMs));
  EXPECT_TRUE(limiter.CountQuota("k", 2, "DAY", kWed31Jan2024 + kDayMs + 1));
  EXPECT_FALSE(limiter.CountQuota("k", 2, "DAY", kWed31Jan2024 + 2 * kDayMs - 1));
  // No limit, no counting.
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(limiter.CountQuota("free", 0, "DAY", 0));
}

TEST(RateLimiterTest, MonthlyQuotaSpansTheMonth) {
  RateLimiter limiter;
  EXPECT_TRUE(limiter.CountQuota("k", 1, "MONTH", kMon1Jan2024));
  EXPECT_FALSE(limiter.CountQuota("k", 1, "MONTH", kWed31Jan2024Noon));
  EXPECT_TRUE(limiter.CountQuota("k", 1, "MONTH", kThu1Feb2024));
  EXPECT_TRUE(limiter.CountQuota("w", 1, "WEEK", kMon29Jan2024));
  EXPECT_FALSE(limiter.CountQuota("w", 1, "WEEK", kThu1Feb2024));
}

}  // namespace
}  // namespace nimbus::gateway
