// Policy variables (2012-10-17 documents): "${aws:SourceArn}" in a Resource
// or a condition value is replaced by the request context's value of that
// key; "${key, 'default'}" gives a default for an absent key; "${*}", "${?}"
// and "${$}" stand for the literal characters. Internal to src/iam.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "iam/evaluator.h"

namespace nimbus::iam {

// True when `value` may hold a variable (contains "${").
inline bool HasVariables(std::string_view value) {
  return value.find("${") != std::string_view::npos;
}

// `value` with its variables replaced. With `as_glob`, the result is an
// escaped pattern for GlobMatchEscaped: the wildcards written in `value`
// keep their meaning, substituted text and escapes match literally. Nullopt
// when a variable names a key the context lacks (or holds several values for)
// and has no default: such a value matches nothing.
std::optional<std::string> ExpandVariables(std::string_view value, const ConditionContext* context,
                                           bool as_glob);

}  // namespace nimbus::iam
