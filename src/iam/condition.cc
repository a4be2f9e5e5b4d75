#include "iam/condition.h"

#include <optional>
#include <string>

#include "core/strings.h"
#include "iam/condition_values.h"
#include "iam/glob.h"
#include "iam/variables.h"

namespace nimbus::iam {
namespace {

struct OperatorInfo {
  std::string_view name;
  ConditionFamily family;
  ConditionCompare compare;
  bool negated;
};

using F = ConditionFamily;
using C = ConditionCompare;
constexpr OperatorInfo kOperators[] = {
    {"StringEquals", F::kString, C::kEquals, false},
    {"StringNotEquals", F::kString, C::kEquals, true},
    {"StringEqualsIgnoreCase", F::kStringIgnoreCase, C::kEquals, false},
    {"StringNotEqualsIgnoreCase", F::kStringIgnoreCase, C::kEquals, true},
    {"StringLike", F::kStringLike, C::kEquals, false},
    {"StringNotLike", F::kStringLike, C::kEquals, true},
    {"NumericEquals", F::kNumeric, C::kEquals, false},
    {"NumericNotEquals", F::kNumeric, C::kEquals, true},
    {"NumericLessThan", F::kNumeric, C::kLessThan, false},
    {"NumericLessThanEquals", F::kNumeric, C::kLessThanEquals, false},
    {"NumericGreaterThan", F::kNumeric, C::kGreaterThan, false},
    {"NumericGreaterThanEquals", F::kNumeric, C::kGreaterThanEquals, false},
    {"DateEquals", F::kDate, C::kEquals, false},
    {"DateNotEquals", F::kDate, C::kEquals, true},
    {"DateLessThan", F::kDate, C::kLessThan, false},
    {"DateLessThanEquals", F::kDate, C::kLessThanEquals, false},
    {"DateGreaterThan", F::kDate, C::kGreaterThan, false},
    {"DateGreaterThanEquals", F::kDate, C::kGreaterThanEquals, false},
    {"Bool", F::kBool, C::kEquals, false},
    {"BinaryEquals", F::kBinary, C::kEquals, false},
    {"IpAddress", F::kIpAddress, C::kEquals, false},
    {"NotIpAddress", F::kIpAddress, C::kEquals, true},
    {"ArnEquals", F::kArn, C::kEquals, false},
    {"ArnLike", F::kArn, C::kEquals, false},
    {"ArnNotEquals", F::kArn, C::kEquals, true},
    {"ArnNotLike", F::kArn, C::kEquals, true},
    {"Null", F::kNull, C::kEquals, false},
};

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

bool Compare(double request, double policy, ConditionCompare c) {
  switch (c) {
    case C::kEquals:
      return request == policy;
    case C::kLessThan:
      return request < policy;
    case C::kLessThanEquals:
      return request <= policy;
    case C::kGreaterThan:
      return request > policy;
    case C::kGreaterThanEquals:
      return request >= policy;
  }
  return false;
}

bool UsesGlob(ConditionFamily f) {
  return f == F::kStringLike || f == F::kArn;
}

// The un-negated comparison of one request value with one (expanded) policy value.
bool ValueMatches(const Condition& c, std::string_view request, std::string_view policy,
                  bool escaped) {
  switch (c.family) {
    case F::kString:
    case F::kBinary:
      return request == policy;
    case F::kStringIgnoreCase:
    case F::kBool:
      return EqualsIgnoreCase(request, policy);
    case F::kStringLike:
      return escaped ? GlobMatchEscaped(policy, request, false) : GlobMatch(policy, request);
    case F::kNumeric:
    case F::kDate: {
      auto parse = c.family == F::kNumeric ? ParseConditionNumber : ParseConditionDate;
      std::optional<double> r = parse(request), p = parse(policy);
      return r && p && Compare(*r, *p, c.compare);
    }
    case F::kIpAddress:
      return IpInCidr(request, policy);
    case F::kArn:
      return ArnMatches(policy, request, escaped);
    case F::kNull:
      return false;
  }
  return false;
}

// Whether one request value matches any of the condition's policy values.
bool AnyPolicyValueMatches(const Condition& c, std::string_view request,
                           const ConditionContext* context, bool variables) {
  for (const std::string& policy : c.values) {
    if (variables && HasVariables(policy)) {
      std::optional<std::string> expanded = ExpandVariables(policy, context, UsesGlob(c.family));
      if (expanded && ValueMatches(c, request, *expanded, UsesGlob(c.family))) return true;
    } else if (ValueMatches(c, request, policy, false)) {
      return true;
    }
  }
  return false;
}

}  // namespace

bool DecodeConditionOperator(std::string_view op, Condition* c) {
  c->set = SetQualifier::kNone;
  if (StartsWithIgnoreCase(op, "ForAnyValue:")) {
    c->set = SetQualifier::kForAnyValue;
    op.remove_prefix(12);
  } else if (StartsWithIgnoreCase(op, "ForAllValues:")) {
    c->set = SetQualifier::kForAllValues;
    op.remove_prefix(13);
  }
  c->if_exists = false;
  constexpr std::string_view kIfExists = "IfExists";
  if (op.size() > kIfExists.size() &&
      EqualsIgnoreCase(op.substr(op.size() - kIfExists.size()), kIfExists)) {
    c->if_exists = true;
    op.remove_suffix(kIfExists.size());
  }
  for (const OperatorInfo& info : kOperators) {
    if (!EqualsIgnoreCase(op, info.name)) continue;
    if (info.family == F::kNull && (c->if_exists || c->set != SetQualifier::kNone)) return false;
    c->family = info.family;
    c->compare = info.compare;
    c->negated = info.negated;
    return true;
  }
  return false;
}

bool ConditionMatches(const Condition& c, const ConditionContext* context, bool variables) {
  const std::vector<std::string>* request = nullptr;
  if (context != nullptr) {
    auto it = context->find(c.key);
    if (it != context->end() && !it->second.empty()) request = &it->second;
  }

  if (c.family == F::kNull) {
    // {"Null": {"k": "true"}} holds when k is absent; "false" when present.
    for (const std::string& v : c.values) {
      if (EqualsIgnoreCase(v, "true") && request == nullptr) return true;
      if (EqualsIgnoreCase(v, "false") && request != nullptr) return true;
    }
    return false;
  }

  // A request value satisfies the operator: a negated operator holds when it
  // matches none of the policy values.
  auto satisfies = [&](const std::string& r) {
    return AnyPolicyValueMatches(c, r, context, variables) != c.negated;
  };

  switch (c.set) {
    case SetQualifier::kForAnyValue:
      if (request == nullptr) return c.if_exists;
      for (const std::string& r : *request) {
        if (satisfies(r)) return true;
      }
      return false;
    case SetQualifier::kForAllValues:
      if (request == nullptr) return true;
      for (const std::string& r : *request) {
        if (!satisfies(r)) return false;
      }
      return true;
    case SetQualifier::kNone:
      break;
  }
  if (request == nullptr) return c.if_exists || c.negated;
  bool any = false;
  for (const std::string& r : *request) {
    if (AnyPolicyValueMatches(c, r, context, variables)) {
      any = true;
      break;
    }
  }
  return any != c.negated;
}

}  // namespace nimbus::iam
