#include "core/time.h"

#include <fmt/format.h>

#include <cstring>
#include <ctime>

#include "core/strings.h"

namespace nimbus {
namespace {

struct tm ToUtc(int64_t epoch_seconds) {
  time_t t = static_cast<time_t>(epoch_seconds);
  struct tm out;
  gmtime_r(&t, &out);
  return out;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

int64_t NowEpochMillis() { return ToEpochMillis(std::chrono::system_clock::now()); }

int64_t ToEpochMillis(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::string FormatLambdaTime(int64_t epoch_ms) {
  struct tm t = ToUtc(FloorDiv(epoch_ms, 1000));
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}+0000", t.tm_year + 1900,
                     t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec,
                     epoch_ms - FloorDiv(epoch_ms, 1000) * 1000);
}

std::string FormatIso8601Millis(int64_t epoch_ms) {
  struct tm t = ToUtc(FloorDiv(epoch_ms, 1000));
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", t.tm_year + 1900, t.tm_mon + 1,
                     t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec,
                     epoch_ms - FloorDiv(epoch_ms, 1000) * 1000);
}

std::string FormatAmzDate(int64_t epoch_seconds) {
  struct tm t = ToUtc(epoch_seconds);
  return fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}Z", t.tm_year + 1900, t.tm_mon + 1,
                     t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec);
}

std::string FormatSlashDate(int64_t epoch_ms) {
  struct tm t = ToUtc(FloorDiv(epoch_ms, 1000));
  return fmt::format("{:04}/{:02}/{:02}", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday);
}

std::optional<int64_t> ParseAmzDate(std::string_view text) {
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return std::nullopt;
  auto num = [&](size_t pos, size_t len, long long* out) {
    return ParseInt64(text.substr(pos, len), out);
  };
  long long y, mo, d, h, mi, s;
  if (!num(0, 4, &y) || !num(4, 2, &mo) || !num(6, 2, &d) || !num(9, 2, &h) ||
      !num(11, 2, &mi) || !num(13, 2, &s)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  struct tm t{};
  t.tm_year = static_cast<int>(y - 1900);
  t.tm_mon = static_cast<int>(mo - 1);
  t.tm_mday = static_cast<int>(d);
  t.tm_hour = static_cast<int>(h);
  t.tm_min = static_cast<int>(mi);
  t.tm_sec = static_cast<int>(s);
  return static_cast<int64_t>(timegm(&t));
}

std::optional<int64_t> ParseHttpDate(std::string_view text) {
  std::string s(text);
  struct tm t{};
  const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &t);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return static_cast<int64_t>(timegm(&t));
}

}  // namespace nimbus
