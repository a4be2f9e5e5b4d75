// Policy evaluation within one account (../shared/reference/iam.md §3).
//
// Evaluate decides a request against a principal's identity policies:
// an explicit Deny in any of them wins, otherwise any Allow allows,
// otherwise the request is implicitly denied. EvaluateResourcePolicy decides
// it against one resource or trust policy for a named principal. Callers
// combine the two as §3 describes (within one account an Allow from either
// side allows; a Deny from either side denies).
//
// Both are pure functions of their arguments: no allocation on the common
// path (policy variables aside), safe on any thread.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "iam/policy.h"

namespace nimbus::iam {

// Condition context: lower-cased keys ("aws:sourcearn") to their values.
using ConditionContext = std::map<std::string, std::vector<std::string>>;

struct AccessRequest {
  std::string_view action;    // "dynamodb:PutItem" (case-insensitive match)
  std::string_view resource;  // an ARN (case-sensitive glob)
  // Condition context, keys lower-cased ("aws:sourcearn", "aws:principalarn", ...).
  const ConditionContext* context = nullptr;
};

enum class Decision { kAllow, kImplicitDeny, kExplicitDeny };

const char* DecisionName(Decision d);

// Identity-policy evaluation within one account: explicit Deny in any policy
// wins, else any Allow allows, else implicit deny. Null entries are skipped.
Decision Evaluate(const std::vector<std::shared_ptr<const Policy>>& policies,
                  const AccessRequest& request);

// Whether a resource or trust policy lets `principal` perform the request.
// `principal_type` is "Service" (principal "lambda.amazonaws.com"), "AWS"
// (an IAM or STS ARN, or a 12-digit account id) or "Federated". A statement
// naming an account ("123456789012" or "arn:aws:iam::123456789012:root")
// covers every principal of that account: as in IAM, such a grant only
// delegates to the account's identity policies, which the caller must also
// check. A statement without Resource applies to any resource. Identity
// policies (no Principal) never match here.
Decision EvaluateResourcePolicy(const Policy& policy, std::string_view principal_type,
                                std::string_view principal, const AccessRequest& request);

}  // namespace nimbus::iam
