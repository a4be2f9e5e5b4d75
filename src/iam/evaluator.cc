#include "iam/evaluator.h"

#include <optional>

#include "core/strings.h"
#include "iam/condition.h"
#include "iam/glob.h"
#include "iam/variables.h"

namespace nimbus::iam {
namespace {

bool ActionMatches(const Statement& s, std::string_view action) {
  bool any = false;
  for (const std::string& pattern : s.actions) {
    if (GlobMatchIgnoreCase(pattern, action)) {
      any = true;
      break;
    }
  }
  return any != s.not_action;
}

bool ResourceMatches(const Statement& s, const AccessRequest& request, bool variables) {
  if (s.resources.empty()) return true;  // trust and resource policies without Resource
  bool any = false;
  for (const std::string& pattern : s.resources) {
    bool match;
    if (variables && HasVariables(pattern)) {
      std::optional<std::string> expanded = ExpandVariables(pattern, request.context, true);
      match = expanded && GlobMatchEscaped(*expanded, request.resource, false);
    } else {
      match = GlobMatch(pattern, request.resource);
    }
    if (match) {
      any = true;
      break;
    }
  }
  return any != s.not_resource;
}

bool ConditionsMatch(const Statement& s, const AccessRequest& request, bool variables) {
  for (const Condition& c : s.conditions) {
    if (!ConditionMatches(c, request.context, variables)) return false;
  }
  return true;
}

bool StatementApplies(const Statement& s, const AccessRequest& request, bool variables) {
  return ActionMatches(s, request.action) && ResourceMatches(s, request, variables) &&
         ConditionsMatch(s, request, variables);
}

// The account of an ARN ("arn:aws:iam::123456789012:role/x" -> "123456789012").
std::string_view ArnAccount(std::string_view arn) {
  size_t start = 0;
  for (int i = 0; i < 4; ++i) {
    size_t colon = arn.find(':', start);
    if (colon == std::string_view::npos) return {};
    start = colon + 1;
  }
  size_t end = arn.find(':', start);
  if (end == std::string_view::npos) return {};
  return arn.substr(start, end - start);
}

bool IsAccountId(std::string_view s) {
  if (s.size() != 12) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Whether one "AWS" principal value names `principal`: "*", the exact ARN,
// or the principal's account (as an id or its ":root" ARN).
bool AwsPrincipalMatches(std::string_view value, std::string_view principal) {
  if (value == "*" || value == principal) return true;
  std::string_view account;
  if (IsAccountId(value)) {
    account = value;
  } else if (value.starts_with("arn:") && value.ends_with(":root")) {
    account = ArnAccount(value);
  } else {
    return false;
  }
  if (account.empty()) return false;
  std::string_view principal_account = IsAccountId(principal) ? principal : ArnAccount(principal);
  return principal_account == account;
}

bool PrincipalListed(const Statement& s, std::string_view type, std::string_view principal) {
  if (s.principals.count("*") > 0) return true;
  auto it = s.principals.find(std::string(type));
  if (it == s.principals.end()) return false;
  for (const std::string& value : it->second) {
    if (type == "AWS") {
      if (AwsPrincipalMatches(value, principal)) return true;
    } else if (type == "Service") {
      if (EqualsIgnoreCase(value, principal)) return true;
    } else if (value == principal) {
      return true;
    }
  }
  return false;
}

bool PrincipalMatches(const Statement& s, std::string_view type, std::string_view principal) {
  if (s.has_principal) return PrincipalListed(s, type, principal);
  if (s.not_principal) return !PrincipalListed(s, type, principal);
  return false;
}

}  // namespace

const char* DecisionName(Decision d) {
  switch (d) {
    case Decision::kAllow:
      return "Allow";
    case Decision::kImplicitDeny:
      return "ImplicitDeny";
    case Decision::kExplicitDeny:
      return "ExplicitDeny";
  }
  return "?";
}

Decision Evaluate(const std::vector<std::shared_ptr<const Policy>>& policies,
                  const AccessRequest& request) {
  bool allowed = false;
  for (const auto& policy : policies) {
    if (policy == nullptr) continue;
    bool variables = policy->variables();
    for (const Statement& s : policy->statements) {
      if (allowed && s.allow) continue;  // only a Deny can change the outcome now
      if (!StatementApplies(s, request, variables)) continue;
      if (!s.allow) return Decision::kExplicitDeny;
      allowed = true;
    }
  }
  return allowed ? Decision::kAllow : Decision::kImplicitDeny;
}

Decision EvaluateResourcePolicy(const Policy& policy, std::string_view principal_type,
                                std::string_view principal, const AccessRequest& request) {
  bool allowed = false;
  bool variables = policy.variables();
  for (const Statement& s : policy.statements) {
    if (allowed && s.allow) continue;
    if (!PrincipalMatches(s, principal_type, principal)) continue;
    if (!StatementApplies(s, request, variables)) continue;
    if (!s.allow) return Decision::kExplicitDeny;
    allowed = true;
  }
  return allowed ? Decision::kAllow : Decision::kImplicitDeny;
}

}  // namespace nimbus::iam
