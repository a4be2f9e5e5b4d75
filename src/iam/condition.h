// Condition evaluation (../shared/reference/iam.md §2): one Condition of a
// statement against the request's context. Internal to src/iam.
#pragma once

#include "iam/evaluator.h"
#include "iam/policy.h"

namespace nimbus::iam {

// Whether `c` holds for `context` (may be null: every key absent).
// `variables` enables policy variables in the condition's values.
bool ConditionMatches(const Condition& c, const ConditionContext* context, bool variables);

}  // namespace nimbus::iam
