#include "core/platform.h"

#include <fmt/format.h>

namespace nimbus {

std::string Platform::Arn(std::string_view service, std::string_view resource) const {
  return fmt::format("arn:aws:{}:{}:{}:{}", service, region, account_id, resource);
}

std::string Platform::GlobalArn(std::string_view service, std::string_view resource) const {
  return fmt::format("arn:aws:{}::{}:{}", service, account_id, resource);
}

std::string Platform::FunctionArn(std::string_view name) const {
  return Arn("lambda", fmt::format("function:{}", name));
}

std::string Platform::TableArn(std::string_view name) const {
  return Arn("dynamodb", fmt::format("table/{}", name));
}

std::string Platform::LogGroupArn(std::string_view group) const {
  return Arn("logs", fmt::format("log-group:{}", group));
}

std::string Platform::RoleArn(std::string_view path, std::string_view name) const {
  return GlobalArn("iam", fmt::format("role{}{}", path.empty() ? "/" : path, name));
}

std::string Platform::AssumedRoleArn(std::string_view role_name, std::string_view session) const {
  return GlobalArn("sts", fmt::format("assumed-role/{}/{}", role_name, session));
}

}  // namespace nimbus
