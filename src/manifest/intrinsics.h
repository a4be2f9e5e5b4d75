// CloudFormation intrinsic functions, evaluated at deploy time when the real
// names of resources are known.
//
// serverless.yml values such as `!GetAtt UsersTable.Arn` or
// `!Sub 'arn:aws:s3:::${Bucket}/*'` stay JSON objects in the Manifest. The
// deploy step evaluates them with an IntrinsicContext that knows the region,
// account, stack name and how to answer Ref / Fn::GetAtt for the stack's
// resources, and orders its work by ReferencedLogicalIds.
//
// Supported: Ref (resources and the pseudo parameters AWS::Region,
// AWS::AccountId, AWS::StackName, AWS::Partition, AWS::URLSuffix,
// AWS::NoValue), Fn::GetAtt, Fn::Join, Fn::Sub (both forms; ${Logical},
// ${Logical.Attr}, ${AWS::Region}, ${!Literal}), Fn::Select, Fn::Split (where
// a list is expected), Fn::Base64 and Fn::GetAZs (three zones, a, b, c).
// Conditions, Fn::If, Fn::ImportValue, Fn::FindInMap and the rest are
// errors. Stateless; thread-safe as far as the callback is.
#pragma once

#include <boost/json/value.hpp>
#include <functional>
#include <string>
#include <vector>

#include "core/platform.h"
#include "core/status.h"

namespace nimbus::manifest {

struct IntrinsicContext {
  std::string region{kDefaultRegion};
  std::string account_id{kDefaultAccountId};
  std::string stack_name;  // "<service>-<stage>"
  // Answers Ref (attribute "") and Fn::GetAtt (attribute "Arn", ...) for a
  // resource of the stack; NotFound when there is no such resource.
  std::function<Result<std::string>(const std::string& logical_id, const std::string& attribute)>
      resolve;
};

// True for a one-member object whose key is Ref, Condition or Fn::*.
bool IsIntrinsic(const boost::json::value& v);

// The string a value stands for. Strings pass through; numbers and booleans
// become their text. A value that is `Ref: AWS::NoValue` yields a status for
// which IsNoValue() is true: the caller drops the property it belonged to.
Result<std::string> EvaluateIntrinsic(const boost::json::value& v, const IntrinsicContext& ctx);
bool IsNoValue(const Status& status);

// Evaluates every intrinsic inside a whole value (resource Properties):
// scalars keep their JSON types, Fn::Split/Fn::GetAZs become arrays, and
// members or elements that are AWS::NoValue disappear.
Result<boost::json::value> EvaluateIntrinsicsIn(const boost::json::value& v,
                                                const IntrinsicContext& ctx);

// Logical ids a value refers to through Ref, Fn::GetAtt and Fn::Sub
// placeholders (pseudo parameters excluded), sorted and without duplicates.
std::vector<std::string> ReferencedLogicalIds(const boost::json::value& v);

}  // namespace nimbus::manifest
