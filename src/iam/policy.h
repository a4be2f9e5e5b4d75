// The IAM policy language: a parsed, validated policy document.
//
// ParsePolicy reads a JSON policy document as IAM does: single-or-list
// elements are normalised to lists, condition keys are lower-cased, condition
// operators are decoded once, and every rule IAM enforces at write time is
// checked (see ../shared/reference/iam.md §2). A Policy is immutable once
// parsed and is shared read-only between threads.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace nimbus::iam {

// Which rules a document is validated against: identity policies (a role's
// inline and managed policies) have Resource and no Principal; trust
// policies have Principal and no Resource; resource policies (function,
// queue, topic, bucket policies) have a Principal and usually a Resource.
enum class PolicyKind { kIdentity, kTrust, kResource };

// The comparison a condition operator makes, decoded from its name.
enum class ConditionFamily {
  kString,            // StringEquals, StringNotEquals
  kStringIgnoreCase,  // StringEqualsIgnoreCase, StringNotEqualsIgnoreCase
  kStringLike,        // StringLike, StringNotLike
  kNumeric,           // Numeric*
  kDate,              // Date*
  kBool,              // Bool
  kBinary,            // BinaryEquals
  kIpAddress,         // IpAddress, NotIpAddress
  kArn,               // ArnEquals, ArnLike, ArnNotEquals, ArnNotLike
  kNull,              // Null
};
enum class ConditionCompare {
  kEquals,
  kLessThan,
  kLessThanEquals,
  kGreaterThan,
  kGreaterThanEquals
};
enum class SetQualifier { kNone, kForAnyValue, kForAllValues };

struct Condition {
  std::string op;   // as written, e.g. "StringLike", "ForAnyValue:StringEquals", "ArnLikeIfExists"
  std::string key;  // lower-cased
  std::vector<std::string> values;
  // Decoded from `op` by ParsePolicy.
  ConditionFamily family = ConditionFamily::kString;
  ConditionCompare compare = ConditionCompare::kEquals;
  bool negated = false;    // the *Not* operators: true when no value matches
  bool if_exists = false;  // the …IfExists suffix
  SetQualifier set = SetQualifier::kNone;
};

struct Statement {
  std::string sid;
  bool allow = true;
  bool not_action = false;
  std::vector<std::string> actions;
  bool not_resource = false;
  std::vector<std::string> resources;  // empty for trust policies
  bool has_principal = false, not_principal = false;
  std::map<std::string, std::vector<std::string>> principals;  // "AWS"/"Service"/"Federated"/"*"
  std::vector<Condition> conditions;
};

struct Policy {
  std::string version;  // "2012-10-17" or "2008-10-17" (the default when absent)
  std::vector<Statement> statements;
  // Policy variables (${aws:...}) are expanded only in 2012-10-17 documents.
  bool variables() const { return version == "2012-10-17"; }
};

inline constexpr size_t kMaxPolicyDocumentChars = 131072;

// Parses and validates a policy document. Errors are Code::kInvalidArgument
// with reason "MalformedPolicyDocument" and a message naming the problem.
// Never throws, never recurses on the input beyond a small fixed depth.
Result<std::shared_ptr<const Policy>> ParsePolicy(std::string_view json, PolicyKind kind);

// Decodes a condition operator name into `c`'s decoded members; false when
// the name is not an operator IAM knows.
bool DecodeConditionOperator(std::string_view op, Condition* c);

}  // namespace nimbus::iam
