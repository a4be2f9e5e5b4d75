#include "iam/condition_values.h"

#include <arpa/inet.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "iam/glob.h"

namespace nimbus::iam {
namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// Splits an ARN into its six parts; false when it has fewer than six.
bool SplitArn(std::string_view arn, std::array<std::string_view, 6>* parts) {
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    size_t colon = arn.find(':', start);
    if (colon == std::string_view::npos) return false;
    (*parts)[i] = arn.substr(start, colon - start);
    start = colon + 1;
  }
  (*parts)[5] = arn.substr(start);
  return true;
}

// Splits an escaped pattern on unescaped colons (an escaped ':' stays in its part).
bool SplitEscapedArn(std::string_view arn, std::array<std::string_view, 6>* parts) {
  size_t start = 0;
  int part = 0;
  for (size_t i = 0; i < arn.size() && part < 5; ++i) {
    if (arn[i] == '\\') {
      ++i;
      continue;
    }
    if (arn[i] != ':') continue;
    (*parts)[part++] = arn.substr(start, i - start);
    start = i + 1;
  }
  if (part < 5) return false;
  (*parts)[5] = arn.substr(start);
  return true;
}

}  // namespace

std::optional<double> ParseConditionNumber(std::string_view s) {
  if (s.empty() || s.size() > 64) return std::nullopt;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E')) {
      return std::nullopt;
    }
  }
  std::string text(s);
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<double> ParseConditionDate(std::string_view s) {
  if (s.empty() || s.size() > 64) return std::nullopt;
  if (s.find('-') == std::string_view::npos || s.front() == '-') {
    // Epoch seconds.
    std::optional<double> n = ParseConditionNumber(s);
    if (!n) return std::nullopt;
    return *n * 1000;
  }
  int year, month, day;
  if (!Digits(s, 0, 4, &year) || s.size() < 10 || s[4] != '-' || !Digits(s, 5, 2, &month) ||
      s[7] != '-' || !Digits(s, 8, 2, &day)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31) return std::nullopt;
  double ms = static_cast<double>(DaysFromCivil(year, month, day)) * 86400000.0;
  size_t pos = 10;
  if (pos == s.size()) return ms;
  if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return std::nullopt;
  int hour, minute, second = 0;
  if (!Digits(s, pos + 1, 2, &hour) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
      !Digits(s, pos + 4, 2, &minute)) {
    return std::nullopt;
  }
  pos += 6;
  if (pos < s.size() && s[pos] == ':') {
    if (!Digits(s, pos + 1, 2, &second)) return std::nullopt;
    pos += 3;
  }
  if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
  ms += (hour * 3600.0 + minute * 60.0 + second) * 1000.0;
  if (pos < s.size() && s[pos] == '.') {
    double scale = 100;
    ++pos;
    size_t digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      ms += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
      ++digits;
    }
    if (digits == 0) return std::nullopt;
  }
  if (pos == s.size()) return ms;  // no zone: UTC
  if ((s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) return ms;
  if (s[pos] != '+' && s[pos] != '-') return std::nullopt;
  int sign = s[pos] == '+' ? 1 : -1;
  int oh, om = 0;
  if (!Digits(s, pos + 1, 2, &oh)) return std::nullopt;
  pos += 3;
  if (pos < s.size() && s[pos] == ':') ++pos;
  if (pos < s.size()) {
    if (!Digits(s, pos, 2, &om)) return std::nullopt;
    pos += 2;
  }
  if (pos != s.size() || oh > 23 || om > 59) return std::nullopt;
  return ms - sign * (oh * 3600.0 + om * 60.0) * 1000.0;
}

bool IpInCidr(std::string_view ip, std::string_view cidr) {
  if (ip.size() > 64 || cidr.size() > 64) return false;
  std::string net(cidr), addr(ip);
  int bits = -1;
  size_t slash = net.find('/');
  if (slash != std::string::npos) {
    std::string_view b = std::string_view(net).substr(slash + 1);
    if (b.empty() || b.size() > 3) return false;
    bits = 0;
    for (char c : b) {
      if (c < '0' || c > '9') return false;
      bits = bits * 10 + (c - '0');
    }
    net.resize(slash);
  }
  unsigned char a[16], n[16];
  size_t len;
  if (inet_pton(AF_INET, net.c_str(), n) == 1) {
    if (inet_pton(AF_INET, addr.c_str(), a) != 1) return false;
    len = 4;
  } else if (inet_pton(AF_INET6, net.c_str(), n) == 1) {
    if (inet_pton(AF_INET6, addr.c_str(), a) != 1) return false;
    len = 16;
  } else {
    return false;
  }
  if (bits < 0) bits = static_cast<int>(len * 8);
  if (bits > static_cast<int>(len * 8)) return false;
  size_t full = static_cast<size_t>(bits) / 8;
  if (std::memcmp(a, n, full) != 0) return false;
  int rest = bits % 8;
  if (rest == 0) return true;
  unsigned char mask = static_cast<unsigned char>(0xff << (8 - rest));
  return (a[full] & mask) == (n[full] & mask);
}

bool ArnMatches(std::string_view pattern, std::string_view value, bool escaped) {
  std::array<std::string_view, 6> p, v;
  if (!SplitArn(value, &v)) return false;
  if (escaped ? !SplitEscapedArn(pattern, &p) : !SplitArn(pattern, &p)) return false;
  for (size_t i = 0; i < 6; ++i) {
    bool ok = escaped ? GlobMatchEscaped(p[i], v[i], false) : GlobMatch(p[i], v[i]);
    if (!ok) return false;
  }
  return true;
}

}  // namespace nimbus::iam
