// The AWS managed policies Nimbus knows: the documents AWS publishes for the
// execution-role policies serverless projects attach
// (../shared/reference/iam.md §4), AWSLambdaRole, AWSXrayWriteOnlyAccess and
// AdministratorAccess. Built and parsed once, on first use; immutable and
// safe to read from any thread afterwards.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "iam/policy.h"

namespace nimbus::iam {

struct ManagedPolicy {
  std::string name, path, arn, policy_id, default_version_id, document;
  std::shared_ptr<const Policy> parsed;
};

// The policy with this ARN (exact match); nullptr when unknown.
const ManagedPolicy* FindManagedPolicy(std::string_view arn);
// All of them, in name order.
const std::vector<ManagedPolicy>& ManagedPolicies();

}  // namespace nimbus::iam
