// The Lambda API (rest-json, 2015-03-31) as boto3, the AWS CLI and the JS SDK
// call it: translates each operation to the functions service and its
// results and errors back to Lambda's shapes. Knows no storage.
#pragma once

#include <functional>
#include <string>

#include "aws/endpoint.h"
#include "functions/function_service.h"

namespace nimbus::aws {

class LambdaFrontend : public Frontend {
 public:
  // `code_url` builds a download URL for a stored zip (GetFunction's Code.Location).
  using CodeUrlFn = std::function<std::string(const std::string& host, const std::string& sha_hex)>;
  LambdaFrontend(functions::FunctionService& functions, CodeUrlFn code_url,
                 int account_concurrency);

  Protocol protocol() const override { return Protocol::kRestJson; }
  void Handle(net::HttpRequest&& req, const RequestContext& ctx, net::Responder respond) override;

 private:
  void Invoke(net::HttpRequest&& req, const RequestContext& ctx, const std::string& name,
              net::Responder respond);

  functions::FunctionService& functions_;
  CodeUrlFn code_url_;
  int account_concurrency_;
};

// Maps a service Status to Lambda's error type and HTTP status.
AwsError LambdaError(const Status& status);

}  // namespace nimbus::aws
