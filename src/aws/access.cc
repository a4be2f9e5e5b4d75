#include "aws/access.h"

#include <map>
#include <vector>

#include "core/time.h"
#include "iam/evaluator.h"

namespace nimbus::aws {
namespace {

// The role's name is the last segment of its ARN (the path is dropped, as in
// an assumed-role session ARN).
std::string_view RoleName(std::string_view role_arn) {
  size_t slash = role_arn.rfind('/');
  return slash == std::string_view::npos ? role_arn : role_arn.substr(slash + 1);
}

// Whether any statement has a condition or a policy variable to fill.
bool NeedsContext(const std::vector<std::shared_ptr<const iam::Policy>>& policies) {
  for (const auto& policy : policies) {
    for (const auto& st : policy->statements) {
      if (!st.conditions.empty()) return true;
      if (!policy->variables()) continue;
      for (const auto& r : st.resources) {
        if (r.find("${") != std::string::npos) return true;
      }
    }
  }
  return false;
}

}  // namespace

AwsError AccessDeniedError(std::string_view service, std::string message) {
  // DynamoDB's JSON 1.0 errors carry the coral namespace and a capital
  // "Message"; Logs answers 400 with the bare type; rest-json services 403.
  if (service == "dynamodb") {
    return {400, "com.amazon.coral.service#AccessDeniedException", std::move(message)};
  }
  if (service == "logs") return {400, "AccessDeniedException", std::move(message)};
  if (service == "iam") return {403, "AccessDenied", std::move(message)};
  return {403, "AccessDeniedException", std::move(message)};
}

AccessControl::AccessControl(iam::IamService& iam, std::string account_id)
    : iam_(iam), account_id_(std::move(account_id)) {}

std::string AccessControl::CallerArn(const Principal& p) const {
  if (p.kind != Principal::Kind::kInstance) return "arn:aws:iam::" + account_id_ + ":root";
  return "arn:aws:sts::" + account_id_ + ":assumed-role/" + std::string(RoleName(p.role_arn)) +
         "/" + p.function_name;
}

AwsError AccessControl::Denied(const Principal& p, std::string_view service,
                               std::string_view action, std::string_view resource,
                               bool explicit_deny) const {
  std::string message = "User: " + CallerArn(p) + " is not authorized to perform: " +
                        std::string(action) + " on resource: " + std::string(resource);
  if (explicit_deny) {
    message += " with an explicit deny in an identity-based policy";
  } else {
    message += " because no identity-based policy allows the " + std::string(action) + " action";
  }
  return AccessDeniedError(service, std::move(message));
}

std::shared_ptr<const iam::Policy> AccessControl::OwnLogsPolicy(const std::string& log_group_arn) {
  std::string doc = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[)"
                    R"("logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],)"
                    R"("Resource":[")" + log_group_arn + R"(",")" + log_group_arn + R"(:*"]}]})";
  auto parsed = iam::ParsePolicy(doc, iam::PolicyKind::kIdentity);
  return parsed.ok() ? *parsed : nullptr;
}

std::optional<AwsError> AccessControl::Check(const Principal& p, std::string_view service,
                                             std::string_view action,
                                             std::string_view resource) const {
  if (p.kind != Principal::Kind::kInstance) return std::nullopt;
  std::vector<std::shared_ptr<const iam::Policy>> fallback;
  const std::vector<std::shared_ptr<const iam::Policy>>* policies = nullptr;
  auto role = iam_.PoliciesForRole(p.role_arn);
  if (role.ok()) {
    policies = &(*role)->policies;
  } else {
    // A role Nimbus does not know grants the function its own logs only.
    std::string group = "arn:aws:logs:" + p.region + ":" + account_id_ +
                        ":log-group:/aws/lambda/" + p.function_name;
    if (auto own = OwnLogsPolicy(group)) fallback.push_back(std::move(own));
    policies = &fallback;
  }
  iam::AccessRequest request;
  request.action = action;
  request.resource = resource;
  // The condition context is built only for policies that read it: most
  // roles are plain Allow lists, and this runs on every request.
  std::map<std::string, std::vector<std::string>> context;
  if (NeedsContext(*policies)) {
    context = {
        {"aws:principalarn", {p.role_arn}},
        {"aws:principalaccount", {account_id_}},
        {"aws:principaltype", {"AssumedRole"}},
        {"aws:securetransport", {"false"}},
        {"aws:currenttime", {FormatIso8601Millis(NowEpochMillis())}},
        {"aws:requestedregion", {p.region}},
    };
  }
  request.context = &context;
  iam::Decision d = iam::Evaluate(*policies, request);
  if (d == iam::Decision::kAllow) return std::nullopt;
  return Denied(p, service, action, resource, d == iam::Decision::kExplicitDeny);
}

}  // namespace nimbus::aws
