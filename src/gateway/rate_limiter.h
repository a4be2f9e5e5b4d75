// Throttling as API Gateway does it: token buckets (a steady rate and a
// burst capacity) per stage, per route and per API key, and usage-plan
// quotas counted per key over a day, week or month.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "gateway/api_config.h"

namespace nimbus::gateway {

class TokenBucket {
 public:
  TokenBucket() = default;
  explicit TokenBucket(ThrottleConfig config);
  // Takes one token if there is one. `now_s` is a monotonic time in seconds.
  bool TryTake(double now_s);

 private:
  ThrottleConfig config_;
  double tokens_ = 0;
  double last_s_ = -1;
};

// Buckets and quota counters by name; thread-safe.
class RateLimiter {
 public:
  // False when the bucket `key` (configured as `config`) is empty.
  bool Allow(const std::string& key, const ThrottleConfig& config);
  // Counts one request against `key`'s quota for the period containing
  // `now_ms`; false when the quota is already used up.
  bool CountQuota(const std::string& key, int64_t limit, const std::string& period, int64_t now_ms);

 private:
  static double NowSeconds();

  std::mutex mu_;
  std::map<std::string, std::pair<ThrottleConfig, TokenBucket>> buckets_;
  std::map<std::string, std::pair<int64_t, int64_t>> quotas_;  // key -> (period start, count)
};

// The start (epoch ms, UTC) of the DAY, WEEK (Monday) or MONTH holding `now_ms`.
int64_t QuotaPeriodStart(const std::string& period, int64_t now_ms);

}  // namespace nimbus::gateway
