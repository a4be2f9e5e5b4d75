// Authorisation of AWS requests, as IAM decides it for one account: the root
// key and the local dev key may do everything; a function instance's key may
// do what its execution role's policies allow (explicit Deny wins, then any
// Allow, else deny). Every frontend calls RequestContext::Authorize with the
// IAM action and resource ARN of an operation before it acts, and answers the
// returned error, which has the service's own AccessDenied shape and AWS's
// message (`User: <session ARN> is not authorized to perform: ...`).
//
// Thread-safe: the role policies come from iam::IamService, which hands out
// immutable compiled snapshots.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "aws/credential_store.h"
#include "aws/protocol.h"
#include "iam/iam_service.h"
#include "iam/policy.h"

namespace nimbus::aws {

class AccessControl {
 public:
  AccessControl(iam::IamService& iam, std::string account_id);

  // nullopt when `principal` may perform `action` on `resource`; otherwise the
  // error to answer, shaped for `service` (the request's signing name).
  std::optional<AwsError> Check(const Principal& principal, std::string_view service,
                                std::string_view action, std::string_view resource) const;

  // The caller's ARN as AWS error messages print it: the account root, or
  // arn:aws:sts::ACCOUNT:assumed-role/ROLE/FUNCTION for an instance.
  std::string CallerArn(const Principal& principal) const;

  // The denial error, for checks a frontend makes itself (for example a
  // setting no instance credential may change, whatever its role says).
  AwsError Denied(const Principal& principal, std::string_view service, std::string_view action,
                  std::string_view resource, bool explicit_deny) const;

  // The policy an instance gets when its role is unknown to Nimbus (only
  // possible with --dev-credentials, or after the role was deleted): writing
  // to its own log group, nothing else.
  static std::shared_ptr<const iam::Policy> OwnLogsPolicy(const std::string& log_group_arn);

  iam::IamService& iam() const { return iam_; }

 private:
  iam::IamService& iam_;
  std::string account_id_;
};

// The shape of an AccessDenied error for each AWS service, by signing name.
AwsError AccessDeniedError(std::string_view service, std::string message);

}  // namespace nimbus::aws
