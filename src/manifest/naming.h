// The names Serverless v3 derives from a service (reference §2), so that
// handlers and clients find what they would find on AWS. Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace nimbus::manifest {

// '-' -> "Dash", '_' -> "Underscore", then the first letter upper-cased, as
// v3's naming.js does: "create-user" -> "CreateDashuser" (only the very first
// letter changes case).
std::string NormalizeFunctionKey(std::string_view key);
// "hello" -> "HelloLambdaFunction", the id used in Fn::GetAtt [X, Arn].
std::string FunctionLogicalId(std::string_view key);
// "hello" -> "HelloLogGroup".
std::string LogGroupLogicalId(std::string_view key);

// "<service>-<stage>-<key>", the function name unless `name:` is given.
std::string DefaultFunctionName(std::string_view service, std::string_view stage,
                                std::string_view key);
// "/aws/lambda/<function name>".
std::string LogGroupName(std::string_view function_name);
// "<service>-<stage>".
std::string StackName(std::string_view service, std::string_view stage);
// "<stage>-<service>".
std::string HttpApiName(std::string_view service, std::string_view stage);
// "<stage>-<service>", or "<service>-<stage>" with shouldStartNameWithService.
std::string RestApiName(std::string_view service, std::string_view stage, bool start_with_service);
// "<service>-<stage>-<region>-lambdaRole".
std::string ExecutionRoleName(std::string_view service, std::string_view stage,
                              std::string_view region);

}  // namespace nimbus::manifest
