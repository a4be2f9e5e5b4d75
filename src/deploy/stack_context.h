// What a deploy knows of its stack while it runs, for the CloudFormation
// intrinsics of serverless.yml: Ref and Fn::GetAtt of the service's tables
// (their names; Arn and StreamArn once described), functions (name, Arn) and
// roles (name, Arn; RoleId once deployed), with the deploy's region, account
// and stack name. No calls: the deployer records what it learns
// (SetTable, SetRoles) and asks Context() for the evaluator's context.
//
// The IntrinsicContext Context() returns refers to this object, which must
// outlive it. One caller at a time.
#pragma once

#include <map>
#include <set>
#include <string>

#include "core/json.h"
#include "core/status.h"
#include "deploy/deploy_roles.h"
#include "manifest/intrinsics.h"
#include "manifest/manifest.h"

namespace nimbus::deploy {

class StackContext {
 public:
  // `m` must outlive the StackContext.
  StackContext(const manifest::Manifest& m, std::string account_id);

  // A table's description (DescribeTable's Table, CreateTable's
  // TableDescription), by logical id.
  void SetTable(const std::string& logical_id, json::object description);
  // The deployed roles, by logical id.
  void SetRoles(std::map<std::string, DeployedRole> roles);
  const std::map<std::string, DeployedRole>& roles() const { return roles_; }

  manifest::IntrinsicContext Context();
  // Ref (`attribute` "") or Fn::GetAtt of the resource `logical_id`.
  Result<std::string> Resolve(const std::string& logical_id, const std::string& attribute);

  // The ARN of a function's execution role: a role of the service (which
  // must be deployed already) or its role ARN, evaluated.
  Result<std::string> FunctionRoleArn(const manifest::FunctionDef& fn);

 private:
  const manifest::Manifest& m_;
  std::string account_id_;
  std::map<std::string, json::object> tables_;  // by logical id
  std::map<std::string, DeployedRole> roles_;   // by logical id, once deployed
  std::set<std::string> resolving_roles_;       // roles whose names are being evaluated
};

}  // namespace nimbus::deploy
