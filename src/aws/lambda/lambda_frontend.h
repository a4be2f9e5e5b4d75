// The Lambda API (rest-json, 2015-03-31) as boto3, the AWS CLI and the JS SDK
// call it: translates each operation to the functions service and its
// results and errors back to Lambda's shapes. Knows no storage.
//
//   functions     POST/GET /2015-03-31/functions, GET/DELETE …/functions/{FunctionName},
//                 GET/PUT …/{FunctionName}/configuration, PUT …/{FunctionName}/code
//   invoke        POST /2015-03-31/functions/{FunctionName}/invocations (lambda_invoke.cc)
//   concurrency   PUT/DELETE /2017-10-31/functions/{FunctionName}/concurrency,
//                 GET /2019-09-30/functions/{FunctionName}/concurrency
//   account       GET /2016-08-19/account-settings, GET /2017-03-31/tags/{ARN}
//
// A ServiceFrontend (aws/service.h): the operation table is built at
// construction; operations run on the endpoint's I/O threads and call the
// functions service, which is internally locked. An invocation answers from
// the invoker's thread when its function returns.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "aws/service.h"
#include "functions/function_service.h"
#include "iam/iam_service.h"

namespace nimbus::aws {

class LambdaFrontend : public ServiceFrontend {
 public:
  // `code_url` builds a download URL for a stored zip (GetFunction's Code.Location).
  using CodeUrlFn = std::function<std::string(const std::string& host, const std::string& sha_hex)>;
  // `functions` and `iam` outlive the frontend. `iam` knows the execution
  // roles: a function's Role must name one that trusts lambda.amazonaws.com,
  // except with `accept_unknown_roles` (--dev-credentials), where an unknown
  // role is accepted with a warning and grants the function its own logs only.
  LambdaFrontend(functions::FunctionService& functions, CodeUrlFn code_url, int account_concurrency,
                 iam::IamService* iam = nullptr, bool accept_unknown_roles = true);

 private:
  std::vector<Operation> Operations();

  // The control plane (lambda_frontend.cc).
  Result<boost::json::value> CreateFunction(const Call& call);
  Result<boost::json::value> ListFunctions(const Call& call);
  Result<boost::json::value> GetFunction(const Call& call);
  Result<boost::json::value> GetFunctionConfiguration(const Call& call);
  Status DeleteFunction(const Call& call);
  Result<boost::json::value> UpdateFunctionCode(const Call& call);
  Result<boost::json::value> UpdateFunctionConfiguration(const Call& call);
  Result<boost::json::value> PutFunctionConcurrency(const Call& call);
  Result<boost::json::value> GetFunctionConcurrency(const Call& call);
  Status DeleteFunctionConcurrency(const Call& call);
  Result<boost::json::value> GetAccountSettings(const Call& call);
  Result<boost::json::value> ListTags(const Call& call);

  // The data plane (lambda_invoke.cc): answers through `reply` once the
  // function returns.
  void Invoke(Call& call, Reply reply);

  // The `authorize` hooks of the operations that pass a role.
  std::optional<AwsError> AuthorizeCreate(const Call& call) const;
  std::optional<AwsError> AuthorizeUpdateConfiguration(const Call& call) const;

  // The function the path's {FunctionName} names, with the Qualifier query
  // ("$LATEST" is none); an error when the two name different qualifiers.
  Result<functions::FunctionRef> RefOf(const Call& call) const;
  // The ARN an operation on function `name` (maybe qualified) acts on.
  std::string ResourceArn(const std::string& name, const net::HttpRequest& req) const;
  // Ok when `role` may be a function's execution role.
  Status CheckRole(const std::string& role) const;

  functions::FunctionService& functions_;
  CodeUrlFn code_url_;
  int account_concurrency_;
  iam::IamService* iam_;
  bool accept_unknown_roles_;
};

// Lambda's wire description: routes' protocol, errors and their style.
ServiceSpec LambdaSpec();

}  // namespace nimbus::aws
