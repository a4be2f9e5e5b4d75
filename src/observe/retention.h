// The retention periods CloudWatch Logs accepts for a log group, in days
// (PutRetentionPolicy, serverless.yml's provider.logRetentionInDays).
#pragma once

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string_view>

namespace nimbus::observe {

inline constexpr int64_t kRetentionDays[] = {1,    3,    5,    7,    14,   30,  60,  90,
                                             120,  150,  180,  365,  400,  545, 731, 1096,
                                             1827, 2192, 2557, 2922, 3288, 3653};

// The same, as an error message lists them.
inline constexpr std::string_view kRetentionDaysText =
    "1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, "
    "2922, 3288, 3653";

inline bool IsRetentionPeriod(int64_t days) {
  return std::find(std::begin(kRetentionDays), std::end(kRetentionDays), days) !=
         std::end(kRetentionDays);
}

}  // namespace nimbus::observe
