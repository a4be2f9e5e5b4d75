// Glob patterns as Serverless v3 applies them to package files (micromatch
// with `dot: true`): `*` and `?` stay within one path segment and match dot
// files too, `**` as a whole segment spans any number of segments (zero
// included), `[abc]` / `[!a-z]` are character classes, `{a,b}` alternatives,
// and `\` escapes. A leading "./" or "/" is ignored.
//
// One lenience over micromatch: a pattern without any wildcard also matches
// everything below it when it names a directory ("node_modules" acts as
// "node_modules/**"), as globby's directory expansion does.
// Immutable after construction; any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace nimbus::manifest {

class GlobPattern {
 public:
  // `pattern` may start with '!' (an exclusion; see negated()).
  explicit GlobPattern(std::string_view pattern);

  bool negated() const { return negated_; }
  // `path` is relative, '/'-separated, without a leading "./".
  bool Matches(std::string_view path) const;

 private:
  bool negated_ = false;
  bool literal_ = false;                                // no wildcard at all
  std::string text_;                                    // normalised, without '!'
  std::vector<std::vector<std::string>> alternatives_;  // brace-expanded, split by '/'
};

// Matches one path segment against one pattern segment (no '/').
bool GlobMatchSegment(std::string_view pattern, std::string_view text);

// Expands `{a,b}` alternatives, nested ones included: "x.{js,ts}" ->
// {"x.js", "x.ts"}. At most 256 results; the rest are dropped.
std::vector<std::string> ExpandBraces(std::string_view pattern);

}  // namespace nimbus::manifest
