#include "manifest/naming.h"

#include <cctype>

namespace nimbus::manifest {

std::string NormalizeFunctionKey(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '-') {
      out += "Dash";
    } else if (c == '_') {
      out += "Underscore";
    } else {
      out += c;
    }
  }
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

std::string FunctionLogicalId(std::string_view key) {
  return NormalizeFunctionKey(key) + "LambdaFunction";
}

std::string LogGroupLogicalId(std::string_view key) {
  return NormalizeFunctionKey(key) + "LogGroup";
}

std::string DefaultFunctionName(std::string_view service, std::string_view stage,
                                std::string_view key) {
  return std::string(service) + "-" + std::string(stage) + "-" + std::string(key);
}

std::string LogGroupName(std::string_view function_name) {
  return "/aws/lambda/" + std::string(function_name);
}

std::string StackName(std::string_view service, std::string_view stage) {
  return std::string(service) + "-" + std::string(stage);
}

std::string HttpApiName(std::string_view service, std::string_view stage) {
  return std::string(stage) + "-" + std::string(service);
}

std::string RestApiName(std::string_view service, std::string_view stage, bool start_with_service) {
  return start_with_service ? StackName(service, stage) : HttpApiName(service, stage);
}

std::string ExecutionRoleName(std::string_view service, std::string_view stage,
                              std::string_view region) {
  return StackName(service, stage) + "-" + std::string(region) + "-lambdaRole";
}

}  // namespace nimbus::manifest
