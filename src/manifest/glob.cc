#include "manifest/glob.h"

#include "core/strings.h"

namespace nimbus::manifest {
namespace {

constexpr size_t kMaxAlternatives = 256;

// Index of the '}' closing the '{' at `open`, or npos; `*comma` tells whether
// a top-level ',' lies in between (without one the braces are literal).
size_t MatchingBrace(std::string_view s, size_t open, bool* comma) {
  int depth = 0;
  *comma = false;
  for (size_t i = open; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == '{') {
      ++depth;
    } else if (s[i] == '}') {
      if (--depth == 0) return i;
    } else if (s[i] == ',' && depth == 1) {
      *comma = true;
    }
  }
  return std::string_view::npos;
}

// Matches [...] at pattern[*pi] against c; advances *pi past the class.
// Returns false with *pi unchanged when the class is not closed (then '['
// is an ordinary character).
bool MatchClass(std::string_view p, size_t* pi, char c, bool* matched) {
  size_t i = *pi + 1;
  bool negate = i < p.size() && (p[i] == '!' || p[i] == '^');
  if (negate) ++i;
  bool hit = false;
  bool first = true;
  for (; i < p.size() && (p[i] != ']' || first); first = false) {
    char lo = p[i];
    if (lo == '\\' && i + 1 < p.size()) lo = p[++i];
    char hi = lo;
    if (i + 2 < p.size() && p[i + 1] == '-' && p[i + 2] != ']') {
      hi = p[i + 2];
      i += 2;
    }
    if (c >= lo && c <= hi) hit = true;
    ++i;
  }
  if (i >= p.size()) return false;
  *pi = i + 1;
  *matched = hit != negate;
  return true;
}

bool MatchSegments(const std::vector<std::string>& pat, size_t pi,
                   const std::vector<std::string_view>& path, size_t si) {
  while (pi < pat.size()) {
    if (pat[pi] == "**") {
      while (pi + 1 < pat.size() && pat[pi + 1] == "**") ++pi;  // "**/**" is "**"
      for (size_t k = si; k <= path.size(); ++k) {
        if (MatchSegments(pat, pi + 1, path, k)) return true;
      }
      return false;
    }
    if (si >= path.size() || !GlobMatchSegment(pat[pi], path[si])) return false;
    ++pi;
    ++si;
  }
  return si == path.size();
}

}  // namespace

std::vector<std::string> ExpandBraces(std::string_view pattern) {
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      ++i;
      continue;
    }
    if (pattern[i] != '{') continue;
    bool comma = false;
    size_t close = MatchingBrace(pattern, i, &comma);
    if (close == std::string_view::npos) break;
    if (!comma) continue;
    // Split the body at top-level commas.
    std::vector<std::string_view> options;
    int depth = 0;
    size_t start = i + 1;
    for (size_t k = i + 1; k < close; ++k) {
      if (pattern[k] == '\\') {
        ++k;
      } else if (pattern[k] == '{') {
        ++depth;
      } else if (pattern[k] == '}') {
        --depth;
      } else if (pattern[k] == ',' && depth == 0) {
        options.push_back(pattern.substr(start, k - start));
        start = k + 1;
      }
    }
    options.push_back(pattern.substr(start, close - start));
    std::vector<std::string> out;
    std::string head(pattern.substr(0, i));
    std::string_view tail = pattern.substr(close + 1);
    for (std::string_view option : options) {
      for (std::string& expanded : ExpandBraces(head + std::string(option) + std::string(tail))) {
        if (out.size() >= kMaxAlternatives) return out;
        out.push_back(std::move(expanded));
      }
    }
    return out;
  }
  return {std::string(pattern)};
}

bool GlobMatchSegment(std::string_view p, std::string_view t) {
  // Iterative wildcard matching with one backtrack point for the last '*'.
  size_t pi = 0, ti = 0;
  size_t star_p = std::string_view::npos, star_t = 0;
  while (ti < t.size()) {
    if (pi < p.size() && p[pi] == '*') {
      while (pi < p.size() && p[pi] == '*') ++pi;
      star_p = pi;
      star_t = ti;
      continue;
    }
    if (pi < p.size()) {
      char c = p[pi];
      bool ok = false;
      size_t next = pi + 1;
      if (c == '?') {
        ok = true;
      } else if (c == '[') {
        bool matched = false;
        size_t after = pi;
        if (MatchClass(p, &after, t[ti], &matched)) {
          ok = matched;
          next = after;
        } else {
          ok = t[ti] == '[';
        }
      } else if (c == '\\' && pi + 1 < p.size()) {
        ok = t[ti] == p[pi + 1];
        next = pi + 2;
      } else {
        ok = t[ti] == c;
      }
      if (ok) {
        pi = next;
        ++ti;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    pi = star_p;
    ti = ++star_t;
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

GlobPattern::GlobPattern(std::string_view pattern) {
  if (!pattern.empty() && pattern[0] == '!') {
    negated_ = true;
    pattern.remove_prefix(1);
  }
  while (pattern.substr(0, 2) == "./") pattern.remove_prefix(2);
  while (!pattern.empty() && pattern[0] == '/') pattern.remove_prefix(1);
  while (!pattern.empty() && pattern.back() == '/') pattern.remove_suffix(1);
  text_ = std::string(pattern);
  literal_ = text_.find_first_of("*?[{\\") == std::string::npos;
  for (const std::string& alt : ExpandBraces(text_)) {
    std::vector<std::string> segments;
    for (std::string_view seg : Split(alt, '/')) {
      if (!seg.empty() && seg != ".") segments.emplace_back(seg);
    }
    alternatives_.push_back(std::move(segments));
  }
}

bool GlobPattern::Matches(std::string_view path) const {
  if (text_.empty()) return false;
  if (literal_) {
    return path == text_ || (path.size() > text_.size() && path.substr(0, text_.size()) == text_ &&
                             path[text_.size()] == '/');
  }
  std::vector<std::string_view> segments = Split(path, '/');
  for (const auto& alt : alternatives_) {
    if (MatchSegments(alt, 0, segments, 0)) return true;
  }
  return false;
}

}  // namespace nimbus::manifest
