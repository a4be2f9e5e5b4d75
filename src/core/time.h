// Clocks and the timestamp formats AWS protocols use.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nimbus {

using SystemTime = std::chrono::system_clock::time_point;

int64_t NowEpochMillis();
int64_t ToEpochMillis(SystemTime t);

// "2024-01-31T12:34:56.789+0000" (Lambda's FunctionConfiguration.LastModified).
std::string FormatLambdaTime(int64_t epoch_ms);
// "2024-01-31T12:34:56.789Z".
std::string FormatIso8601Millis(int64_t epoch_ms);
// "20240131T123456Z" (SigV4's X-Amz-Date).
std::string FormatAmzDate(int64_t epoch_seconds);
// "2024/01/31" (the date part of a Lambda log stream name).
std::string FormatSlashDate(int64_t epoch_ms);
// Parses "20240131T123456Z"; nullopt when malformed.
std::optional<int64_t> ParseAmzDate(std::string_view text);
// Parses an RFC 1123 HTTP date ("Wed, 31 Jan 2024 12:34:56 GMT").
std::optional<int64_t> ParseHttpDate(std::string_view text);

}  // namespace nimbus
