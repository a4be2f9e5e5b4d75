// The Lambda API (rest-json, 2015-03-31) as boto3, the AWS CLI and the JS SDK
// call it: translates each operation to the functions service and its
// results and errors back to Lambda's shapes. Knows no storage.
#pragma once

#include <functional>
#include <string>

#include "aws/endpoint.h"
#include "functions/function_service.h"
#include "iam/iam_service.h"

namespace nimbus::aws {

class LambdaFrontend : public Frontend {
 public:
  // `code_url` builds a download URL for a stored zip (GetFunction's Code.Location).
  using CodeUrlFn = std::function<std::string(const std::string& host, const std::string& sha_hex)>;
  // `iam` knows the execution roles: a function's Role must name one that
  // trusts lambda.amazonaws.com, except with `accept_unknown_roles`
  // (--dev-credentials), where an unknown role is accepted with a warning and
  // grants the function its own logs only.
  LambdaFrontend(functions::FunctionService& functions, CodeUrlFn code_url,
                 int account_concurrency, iam::IamService* iam = nullptr,
                 bool accept_unknown_roles = true);

  Protocol protocol() const override { return Protocol::kRestJson; }
  void Handle(net::HttpRequest&& req, const RequestContext& ctx, net::Responder respond) override;

 private:
  void Invoke(net::HttpRequest&& req, const RequestContext& ctx, const std::string& name,
              net::Responder respond);

  // nullopt when `role` may be a function's execution role.
  std::optional<AwsError> CheckRole(const std::string& role) const;
  // The ARN an operation on function `name` (maybe qualified) acts on.
  std::string ResourceArn(const std::string& name, const net::HttpRequest& req) const;

  functions::FunctionService& functions_;
  CodeUrlFn code_url_;
  int account_concurrency_;
  iam::IamService* iam_;
  bool accept_unknown_roles_;
};

// Maps a service Status to Lambda's error type and HTTP status.
AwsError LambdaError(const Status& status);

}  // namespace nimbus::aws
