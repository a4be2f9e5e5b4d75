// AWS wildcard matching, as IAM matches actions, resources and the *Like
// condition operators: '*' matches any run of characters (including '/' and
// ':'), '?' exactly one character, everything else itself. The whole text
// must match.
//
// The matcher is iterative with a single backtrack point, so it needs no
// recursion and runs in O(pattern * text) time in the worst case (patterns
// such as "a*a*a*a*b" cannot blow up). Thread-safe: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace nimbus::iam {

bool GlobMatch(std::string_view pattern, std::string_view text);
// ASCII case-insensitive (IAM action names and service prefixes).
bool GlobMatchIgnoreCase(std::string_view pattern, std::string_view text);

// A pattern in which '\' makes the next character literal: how policy
// variables and the ${*}, ${?}, ${$} escapes reach the matcher without
// turning substituted characters into wildcards. A trailing lone '\' is a
// literal backslash.
bool GlobMatchEscaped(std::string_view pattern, std::string_view text, bool ignore_case);
// Appends `literal` to an escaped pattern so that every character of it
// matches only itself.
void AppendGlobLiteral(std::string_view literal, std::string* pattern);

}  // namespace nimbus::iam
