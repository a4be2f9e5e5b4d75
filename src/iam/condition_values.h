// The typed comparisons behind the condition operators: numbers, dates, IP
// ranges and ARNs as IAM reads them. Internal to src/iam; pure functions.
#pragma once

#include <optional>
#include <string_view>

namespace nimbus::iam {

// A decimal number ("10", "-2.5", "1e3"); nullopt when `s` is not exactly one.
std::optional<double> ParseConditionNumber(std::string_view s);

// Milliseconds since the epoch from ISO 8601 ("2024-01-31", "2024-01-31T12:34:56Z",
// "2024-01-31T12:34:56.789+02:00") or epoch seconds ("1706704496"); nullopt
// when malformed.
std::optional<double> ParseConditionDate(std::string_view s);

// Whether `ip` (IPv4 or IPv6 text) lies in `cidr` ("10.0.0.0/8", "2001:db8::/32",
// or a single address). False when either is malformed.
bool IpInCidr(std::string_view ip, std::string_view cidr);

// ArnLike: both split into their six colon-separated parts (the last holds
// any further colons), each part of `value` matched against the pattern's
// part by glob. With `escaped`, `pattern` is an escaped glob (GlobMatchEscaped).
bool ArnMatches(std::string_view pattern, std::string_view value, bool escaped);

}  // namespace nimbus::iam
