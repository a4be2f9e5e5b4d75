// IAM's query protocol as the deploy engine and the CLI speak it:
// form-encoded actions signed for `iam`, XML answers read back into plain
// values. Used by `nimbus deploy` (deploy_roles.h) and `nimbus function
// create` (its default role).
//
// Errors: IAM's NoSuchEntity becomes Code::kNotFound; every other error reply
// becomes kFailedPrecondition with "Code: message". One caller at a time, as
// the AwsClient it wraps.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "deploy/client.h"

namespace nimbus::deploy {

struct IamRole {
  std::string name, path, arn, role_id;
  std::string trust_policy;  // the AssumeRolePolicyDocument's JSON text
  std::map<std::string, std::string> tags;
};

struct CreateRoleArgs {
  std::string name;
  std::string path = "/";
  std::string trust_policy;  // JSON text
  std::string description;
  std::map<std::string, std::string> tags;
};

class IamClient {
 public:
  using Params = std::vector<std::pair<std::string, std::string>>;

  explicit IamClient(AwsClient& client) : client_(client) {}

  // One action; the XML answer.
  Result<std::string> Call(const std::string& action, const Params& params);

  // nullopt when there is no such role.
  Result<std::optional<IamRole>> GetRole(const std::string& name);
  Result<IamRole> CreateRole(const CreateRoleArgs& args);
  Status DeleteRole(const std::string& name);
  // Every role's name, all pages.
  Result<std::vector<std::string>> ListRoleNames();

  Result<std::vector<std::string>> ListRolePolicies(const std::string& role);
  // The policy document's JSON text.
  Result<std::string> GetRolePolicy(const std::string& role, const std::string& policy);
  Status PutRolePolicy(const std::string& role, const std::string& policy,
                       const std::string& document);
  Status DeleteRolePolicy(const std::string& role, const std::string& policy);

  Result<std::vector<std::string>> ListAttachedRolePolicies(const std::string& role);
  Status AttachRolePolicy(const std::string& role, const std::string& policy_arn);
  Status DetachRolePolicy(const std::string& role, const std::string& policy_arn);

  // Deletes a role after deleting its inline policies and detaching its
  // managed ones, as IAM requires. A role already gone is fine.
  Status DeleteRoleWithPolicies(const std::string& name);

 private:
  AwsClient& client_;
};

// XML helpers for IAM's answers (exposed for tests): the unescaped text of
// the first <tag> element, and the raw contents of every <tag> element.
std::string XmlText(std::string_view xml, std::string_view tag);
std::vector<std::string_view> XmlElements(std::string_view xml, std::string_view tag);

}  // namespace nimbus::deploy
