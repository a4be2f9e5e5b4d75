// The IAM API (query protocol, 2010-05-08) for the slice Nimbus serves:
// execution roles, their inline and attached policies, and the AWS managed
// policies functions use. Form-encoded requests in, XML answers out (policy
// documents URL-encoded, as IAM sends them), IAM's errors (NoSuchEntity,
// EntityAlreadyExists, MalformedPolicyDocument, ...).
//
// A ServiceFrontend (aws/service.h): each operation is authorised as
// iam:<Operation> on the role's ARN (ListRoles on "*", GetPolicy and
// GetPolicyVersion on the policy's ARN) before it acts. Operations run on
// the endpoint's I/O threads and call the IAM service, which is internally
// locked.
#pragma once

#include "aws/service.h"
#include "iam/iam_service.h"

namespace nimbus::aws {

class IamFrontend : public ServiceFrontend {
 public:
  // `iam` outlives the frontend; it names roles' ARNs for its account.
  explicit IamFrontend(iam::IamService& iam);

  // What an operation answers: the writer of its Result element's members,
  // or null for an answer without a Result element.
  using Fill = std::function<void(pugi::xml_node result)>;

 private:

  std::vector<Operation> Operations();
  // The ARN a role operation is authorised on: the role's own when it exists,
  // else the one the request's Path and RoleName would give it.
  std::string RoleArnOf(const Call& call, bool existing) const;

  Result<Fill> CreateRole(const Call& call);
  Result<Fill> GetRole(const Call& call);
  Result<Fill> DeleteRole(const Call& call);
  Result<Fill> ListRoles(const Call& call);
  Result<Fill> PutRolePolicy(const Call& call);
  Result<Fill> GetRolePolicy(const Call& call);
  Result<Fill> DeleteRolePolicy(const Call& call);
  Result<Fill> ListRolePolicies(const Call& call);
  Result<Fill> AttachRolePolicy(const Call& call);
  Result<Fill> DetachRolePolicy(const Call& call);
  Result<Fill> ListAttachedRolePolicies(const Call& call);
  Result<Fill> GetPolicy(const Call& call);
  Result<Fill> GetPolicyVersion(const Call& call);

  iam::IamService& iam_;
};

// The IAM service's wire description: protocol, version, errors.
ServiceSpec IamSpec();

}  // namespace nimbus::aws
