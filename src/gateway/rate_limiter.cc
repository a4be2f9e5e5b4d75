#include "gateway/rate_limiter.h"

#include <algorithm>
#include <ctime>

namespace nimbus::gateway {

TokenBucket::TokenBucket(ThrottleConfig config) : config_(config), tokens_(config.burst) {}

bool TokenBucket::TryTake(double now_s) {
  if (!config_.enabled()) return true;
  if (last_s_ >= 0) {
    tokens_ = std::min<double>(config_.burst, tokens_ + (now_s - last_s_) * config_.rate);
  }
  last_s_ = now_s;
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

double RateLimiter::NowSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

bool RateLimiter::Allow(const std::string& key, const ThrottleConfig& config) {
  if (!config.enabled()) return true;
  std::lock_guard lock(mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end() || it->second.first.rate != config.rate ||
      it->second.first.burst != config.burst) {
    it = buckets_.insert_or_assign(key, std::make_pair(config, TokenBucket(config))).first;
  }
  return it->second.second.TryTake(NowSeconds());
}

int64_t QuotaPeriodStart(const std::string& period, int64_t now_ms) {
  time_t t = static_cast<time_t>(now_ms / 1000);
  struct tm tm;
  gmtime_r(&t, &tm);
  tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
  if (period == "WEEK") {
    int since_monday = (tm.tm_wday + 6) % 7;
    return (static_cast<int64_t>(timegm(&tm)) - since_monday * 86400LL) * 1000;
  }
  if (period == "MONTH") tm.tm_mday = 1;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

bool RateLimiter::CountQuota(const std::string& key, int64_t limit, const std::string& period,
                             int64_t now_ms) {
  if (limit <= 0) return true;
  int64_t start = QuotaPeriodStart(period, now_ms);
  std::lock_guard lock(mu_);
  auto& [period_start, count] = quotas_[key];
  if (period_start != start) {
    period_start = start;
    count = 0;
  }
  if (count >= limit) return false;
  ++count;
  return true;
}

}  // namespace nimbus::gateway
