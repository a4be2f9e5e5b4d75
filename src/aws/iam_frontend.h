// The IAM API (query protocol, 2010-05-08) for the slice Nimbus serves:
// execution roles, their inline and attached policies, and the AWS managed
// policies functions use. Form-encoded requests in, XML answers out, IAM's
// errors (NoSuchEntity, EntityAlreadyExists, MalformedPolicyDocument, ...).
// Every operation is authorised (iam:CreateRole on the role's ARN, ...).
#pragma once

#include <map>
#include <string>

#include "aws/endpoint.h"
#include "iam/iam_service.h"

namespace nimbus::aws {

class IamFrontend : public Frontend {
 public:
  IamFrontend(iam::IamService& iam, std::string account_id);

  Protocol protocol() const override { return Protocol::kQuery; }
  void Handle(net::HttpRequest&& req, const RequestContext& ctx, net::Responder respond) override;

 private:
  using Params = std::map<std::string, std::string>;
  // Answers one operation: the XML inside <ActionResult>, or an error.
  Result<std::string> Dispatch(const std::string& action, const Params& p,
                               const RequestContext& ctx, std::optional<AwsError>* denied);

  iam::IamService& iam_;
  std::string account_id_;
};

// Maps an IAM service Status to IAM's error code and HTTP status.
AwsError IamError(const Status& status);

}  // namespace nimbus::aws
