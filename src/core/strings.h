// Small string helpers the standard library lacks.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace nimbus {

std::string_view Trim(std::string_view s);
std::string ToLower(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::vector<std::string_view> Split(std::string_view s, char sep);
// Parses a decimal integer; false when `s` is not exactly one.
bool ParseInt64(std::string_view s, long long* out);
// Whether `s` is non-empty and holds only ASCII letters, digits and the
// characters of `extra` (names AWS restricts to such a set).
bool OnlyWordCharacters(std::string_view s, std::string_view extra);

}  // namespace nimbus
